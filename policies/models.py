from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A functional department or secondary college. Object permissions on a department
    (granted from memberships by policies.services) decide who may act on its items."""

    class Kind(models.TextChoices):
        FUNCTIONAL = "functional", _("Functional department")
        COLLEGE = "college", _("Secondary college")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FUNCTIONAL)
    hosts_office = models.BooleanField(
        _("hosts the disclosure office"), default=False, help_text=_("The department that houses the disclosure office.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        # Granted per department (guardian) to heads, liaisons and reviewers, or globally
        # (model level) to the office, leaders and auditors.
        permissions = [
            ("view_items", _("View the department's disclosure items")),
            ("draft_items", _("Draft disclosure items for the department")),
            ("approve_items", _("Approve the department's items as its head")),
            ("review_items", _("Review the confidentiality of the department's items")),
            ("publish_items", _("Approve and publish items as the disclosure office")),
            ("approve_major_items", _("Approve major matters as the leading group")),
            ("review_secret_items", _("Review items touching state secrets")),
            ("view_audit", _("Read the whole audit trail")),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OFFICE = "office", _("Disclosure office")
    LEADER = "leader", _("Leading group")
    HEAD = "head", _("Department head")
    LIAISON = "liaison", _("Liaison")
    REVIEWER = "reviewer", _("Confidentiality reviewer")
    SECRECY = "secrecy", _("Secrecy office reviewer")
    AUDITOR = "auditor", _("Auditor")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Membership(models.Model):
    """A user's role in a department. Ending a membership (never deleting it) revokes its grants."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("department"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["department__code", "role", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_membership_per_role",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class DelegationQuerySet(models.QuerySet):
    def active(self, today):
        """In force on `today`: started, not ended, not revoked. (Whether the principal still holds
        the role is checked where permissions are read: policies.access.)"""
        return self.filter(revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today)

    def current_or_future(self, today):
        return self.filter(revoked_at__isnull=True, ends_on__gte=today)


class Delegation(models.Model):
    """代理审批: while a head or confidentiality reviewer is away, a deputy from the same department
    holds their permission for that role's decisions there, from `starts_on` to `ends_on`
    (inclusive). Named and ended by the principal (policies.services); never deleted; ending early
    sets `revoked_at`."""

    principal = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given",
                                  verbose_name=_("on behalf of"))
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_held",
                               verbose_name=_("deputy"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("department"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("named"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("ended early"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        indexes = [models.Index(fields=["deputy", "ends_on"], name="delegation_deputy_idx")]

    def __str__(self):
        return f"{self.deputy} → {self.principal} · {self.department} · {self.get_role_display()}"
