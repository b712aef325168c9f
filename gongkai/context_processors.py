from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from policies.access import can


def site(request):
    return {"SCHOOL_NAME": settings.SCHOOL_NAME}


# Path prefixes of the staff side: a 403/404 there is answered with the staff shell, not the public
# site's "never published" text.
STAFF_PREFIXES = ("/home/", "/workflow/", "/foi/", "/audit/", "/reports/", "/office/", "/admin/", "/accounts/")


def is_staff_path(path):
    return path.startswith(STAFF_PREFIXES)


def role_codes(user):
    """The user's active role codes ("office", "liaison", …), once per request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_gongkai_role_codes", None)
    if cached is None:
        cached = frozenset(user.memberships.active().values_list("role", flat=True))
        user._gongkai_role_codes = cached
    return cached


def staff_navigation(request):
    """The staff shell's menu for this user's roles: [(label, url, active)]. One place decides which
    sections each role sees; every page's server-side check still decides what the user may do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = role_codes(user)
    workflow_roles = {"liaison", "head", "reviewer", "secrecy", "office", "leader"}
    entries = [(_("My workspace"), "/home/")]
    if roles & workflow_roles:
        entries.append((_("My tasks"), "/workflow/"))
        entries.append((_("All items"), "/workflow/items/"))
    if roles & {"leader", "office"}:
        entries.append((_("Dashboard"), "/reports/overview/"))
        entries.append((_("Statistics and reports"), "/reports/"))
    if roles & {"office", "leader", "auditor", "liaison", "head"}:  # departments answer the requests assigned to them
        entries.append((_("Disclosure on application"), "/foi/"))
    if "office" in roles:
        entries.append((_("Channel records"), "/office/channels/"))
        entries.append((_("Disclosure guide"), "/office/guide/"))
    if "office" in roles or user.is_superuser:
        entries.append((_("System health"), "/office/health/"))
    if roles & {"auditor", "office"} or can(user, "view_audit"):
        entries.append((_("Audit trail"), "/audit/"))
    if user.is_staff:
        entries.append((_("Administration"), "/admin/"))
    path = request.path
    # The longest matching prefix is the current section (/workflow/items/ beats /workflow/).
    best = max((url for _label, url in entries if path.startswith(url)), key=len, default=None)
    return [{"label": label, "url": url, "active": url == best} for label, url in entries]


def navigation(request):
    return {
        "staff_nav": SimpleLazyObject(lambda: staff_navigation(request)),
        "user_roles": SimpleLazyObject(lambda: role_codes(getattr(request, "user", None)) if getattr(request, "user", None) else frozenset()),
    }
