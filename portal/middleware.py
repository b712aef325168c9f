"""Serve cached public pages to anonymous visitors early, before authentication, messages, URL
resolution and the view: most of the public site's traffic is exactly that.

Sits right after CsrfViewMiddleware (so the visitor's CSRF cookie is read and, when new, set on the
way out); only whole pages that portal.views.cached_page stored for visitors without a session are
served here, so a miss or anyone signed in goes through the normal stack."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from portal import cache
from portal.views import CSRF_PLACEHOLDER, anonymous_without_state

PUBLIC_PREFIXES = ("/category/", "/items/", "/search/")


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and (request.path == "/" or request.path.startswith(PUBLIC_PREFIXES)):
            if anonymous_without_state(request, check_user=False):
                page = cache.get(cache.page_key(request, translation.get_language()) + ":page")
                if page is not None:
                    response = HttpResponse(page.replace(CSRF_PLACEHOLDER, get_token(request)))
                    response["X-Frame-Options"] = "DENY"
                    return response
        return self.get_response(request)
