from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Organisation and roles")

    def ready(self):
        from audit import access as audit_access, registry
        from policies.access import can
        from policies.models import Department, Role

        # The audit trail asks here who may read it, and names departments and roles with us.
        audit_access.reader(lambda user: can(user, "view_audit"))
        registry.object_kind("policies.department", _("Department"), lambda pks: {
            d.pk: (d.name, None) for d in Department.objects.filter(pk__in=pks).only("pk", "name")})
        registry.object_kind("policies.membership", _("Role"))
        registry.object_kind("policies.delegation", _("Delegation"))
        registry.values("department", lambda: dict(Department.objects.values_list("code", "name")))
        registry.values("role", lambda: dict(Role.choices))
