"""Questions other apps ask about people: "may this user do X for that department?".
Answers come from Django/guardian permissions, which policies.services derives from memberships."""

from guardian.shortcuts import get_objects_for_user

from policies.models import Department


def roles_of(user):
    """The user's active memberships, for display."""
    if not user.is_authenticated:
        return []
    return list(user.memberships.active().select_related("department"))


def can(user, codename, department):
    """True if the user holds `policies.<codename>` school-wide or for this department."""
    if not user.is_authenticated or not user.is_active:
        return False
    perm = f"policies.{codename}"
    return user.has_perm(perm) or user.has_perm(perm, department)


def departments_where(user, codename):
    """Departments for which the user holds `policies.<codename>` (all of them if school-wide)."""
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    return get_objects_for_user(user, f"policies.{codename}", klass=Department, accept_global_perms=True)
