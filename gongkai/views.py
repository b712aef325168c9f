from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from gongkai import home as role_home
from gongkai.context_processors import is_staff_path

from policies.access import roles_of


@require_safe
def favicon(request):
    """Every browser asks for /favicon.ico, whatever the page links: the site's icon, not a 404."""
    return redirect(static("gongkai/favicon.svg"))


@csrf_exempt
def set_language(request):
    """Django's set_language, guarded by the request's origin instead of a CSRF token: public
    pages are cached whole for every visitor, so their language menu carries no per-visitor token
    (creating one, and its cookie, for every visitor was most of a cached page's cost). A form on
    another site could at most switch a visitor's language; it is refused all the same."""
    if request.method == "POST" and not getattr(request, "_dont_enforce_csrf_checks", False) and not _same_origin(request):
        return HttpResponseForbidden(_("The language can only be switched from this site's own pages."),
                                     content_type="text/plain; charset=utf-8")
    return i18n.set_language(request)


def _same_origin(request):
    """The Origin header (or, without it, the Referer) names this site or a trusted origin."""
    from urllib.parse import urlsplit

    from django.conf import settings

    source = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER") or ""
    parts = urlsplit(source)
    if not parts.scheme or not parts.netloc:
        return False
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin == f"{request.scheme}://{request.get_host()}" or origin in settings.CSRF_TRUSTED_ORIGINS


@login_required
def home(request):
    context = {"memberships": roles_of(request.user), **role_home.context(request.user)}
    return render(request, "home.html", context)



# Our own error pages (gongkai.urls handler403/404/500), Chinese first, each with a way back. They
# replace Django's and viewflow's (viewflow ships an English 403.html with "log in as another user").
# On the staff side a missing page and a page this user may not see read the same ("not found or no
# access"), so an outsider learns nothing about what exists; the public site keeps its own wording.


def _back_url(request):
    """Where "back" goes: the previous page on this site, else the user's home."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) and referer != request.build_absolute_uri():
        return referer
    return reverse("home") if request.user.is_authenticated else "/"


def permission_denied(request, exception=None):
    reason = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str | Promise):
        reason = str(exception.args[0])
        # A library's untranslated English reason is no help on a Chinese page: show ours only.
        if translation.get_language().startswith("zh") and reason.isascii():
            reason = ""
    context = {"reason": reason, "back_url": _back_url(request)}
    return render(request, "403.html", context, status=403)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):  # an API client gets JSON, as from the API's own 404s
        return JsonResponse({"detail": _("Not found.")}, status=404)
    if is_staff_path(request.path) and request.user.is_authenticated:
        return render(request, "404_staff.html", {"back_url": _back_url(request)}, status=404)
    return render(request, "portal/404.html", {"public_section": ""}, status=404)


def server_error(request):
    try:
        return render(request, "500.html", {"back_url": "/"}, status=500)
    except Exception:  # the database or a template may be what failed: say it plainly
        return HttpResponseServerError(_("The server had a problem. Please try again later.") + ' <a href="/">/</a>')
