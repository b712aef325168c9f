"""The office manages departments and memberships here. Saves go through policies.services so
grants follow memberships and every change is audited; memberships are ended, never deleted."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from core.admin import PolicyAdmin, ReadOnlyAdmin
from core.inputs import InputPolicyForm
from policies import services
from policies.models import Delegation, Department, Membership


def _person(user):
    """People by name (with the login name beside it), not by login name alone."""
    name = user.get_full_name()
    return f"{name}（{user.get_username()}）" if name else user.get_username()


@admin.register(Department)
class DepartmentAdmin(PolicyAdmin):
    list_display = ("name", "kind", "hosts_office", "active")  # by name; the code is on its page
    list_filter = ("kind", "active")
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_department(obj, actor=request.user, changed_fields=form.changed_data)


@admin.register(Membership)
class MembershipAdmin(PolicyAdmin):
    list_display = ("person", "department", "role", "started_at", "ended_at")
    list_filter = ("role", "department", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "department__name")
    autocomplete_fields = ("department",)
    actions = ["end_selected"]

    @admin.display(description=_("person"), ordering="user__username")
    def person(self, membership):
        return _person(membership.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user":  # choose people by name, not by login name alone
            field.label_from_instance = _person
            field.queryset = field.queryset.order_by("last_name", "first_name", "username")
        return field

    def get_fields(self, request, obj=None):
        return ("user", "department", "role") if obj is None else ("user", "department", "role", "started_at", "ended_at")

    def get_readonly_fields(self, request, obj=None):
        # A membership is never edited in place: end it and add a new one.
        return () if obj is None else ("user", "department", "role", "started_at", "ended_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.add_membership(obj.user, obj.department, obj.role, actor=request.user)
            obj.pk = created.pk

    @admin.action(description=_("End the selected memberships (revokes their permissions)"))
    def end_selected(self, request, queryset):
        ended = 0
        for membership in queryset.active().select_related("user", "department"):
            services.end_membership(membership, actor=request.user)
            ended += 1
        self.message_user(request, _("%(count)d memberships ended.") % {"count": ended}, messages.SUCCESS)


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    """代理审批, read only: named and ended by the principal on /accounts/deputies/, ended early by
    the office on /workflow/delegations/ (both audited); never edited or deleted here."""

    list_display = ("deputy_name", "principal_name", "department", "role", "starts_on", "ends_on", "revoked_at")
    list_filter = ("role", "department")
    fields = ("principal_name", "deputy_name", "department", "role", "starts_on", "ends_on", "note", "created_at", "revoked_at")
    readonly_fields = fields

    @admin.display(description=_("deputy"), ordering="deputy__username")
    def deputy_name(self, delegation):
        return _person(delegation.deputy)

    @admin.display(description=_("on behalf of"), ordering="principal__username")
    def principal_name(self, delegation):
        return _person(delegation.principal)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("principal", "deputy", "department")


# Django's own user and group pages, under the same input policy as every other form.
class PolicyUserChangeForm(InputPolicyForm, UserChangeForm):
    pass


class PolicyUserCreationForm(InputPolicyForm, AdminUserCreationForm):
    pass


class PolicyUserAdmin(UserAdmin):
    """Accounts: name, login, status. What a person may do follows their memberships (shown here,
    changed on the membership pages), so the raw group and permission pickers — role codes and
    the libraries' English permission names — are not offered."""

    form = PolicyUserChangeForm
    add_form = PolicyUserCreationForm
    list_display = ("full_name", "username", "email", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ()
    readonly_fields = ("roles", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "email")}),
        (_("Roles"), {"fields": ("roles",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, user):
        return user.get_full_name() or "—"

    @admin.display(description=_("roles (from memberships)"))
    def roles(self, user):
        active = user.memberships.active().select_related("department")
        return "；".join(f"{m.department.name} · {m.get_role_display()}" for m in active) or "—"


for _model, _admin in ((User, PolicyUserAdmin),):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
# Groups carry the roles' permissions and are kept in step with memberships by policies.services;
# editing them by hand would bypass the audited grants, so they have no admin page.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
