"""Serve cached public pages to anonymous visitors early, before authentication, messages, URL
resolution and the view: most of the public site's traffic is exactly that.

Sits right after LocaleMiddleware (the page's language is part of its key), before anything that
would read the session, the user or a CSRF token; only whole pages that portal.views.cached_page
stored for visitors without a session are served here (already encoded, with no per-visitor part),
so a miss or anyone signed in goes through the normal stack. A hit runs no SQL (the site version is
read at most once per PORTAL_VERSION_SECONDS)."""

from django.http import HttpResponse
from django.utils import translation

from portal import cache
from portal.views import anonymous_without_state, whole_page_response

PUBLIC_PREFIXES = ("/category/", "/items/", "/search/")


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and (request.path == "/" or request.path.startswith(PUBLIC_PREFIXES)):
            if anonymous_without_state(request, check_user=False):
                page = cache.get(cache.page_key(request, translation.get_language()) + ":page")
                if page is not None:
                    return whole_page_response(request, page)
        return self.get_response(request)
