"""Serve cached public pages to anonymous visitors first, before any other middleware: most of the
public site's traffic is exactly that.

A public page that portal.views.cached_page marked as the same for every visitor (anonymous, no
session, no pending messages) is kept whole on its way out, with the headers the rest of the stack
gave it (security headers, CSP, language, frame options; not the request id), unless it sets a
cookie. The next such visitor asking for the same URL in the same language gets it from here: no
SQL (the site version is read at most once per PORTAL_VERSION_SECONDS), no session, no other
middleware. The language is negotiated as LocaleMiddleware does it; the scheme is part of the key,
so an HTTPS page (with its HSTS header) is never served over HTTP nor the reverse.

A page kept from before the last change is served all the same, and rendered anew once its
response is sent, so that the next visitor gets the current one (portal.cache)."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation

from portal import cache
from portal.views import anonymous_without_state

log = logging.getLogger(__name__)

PUBLIC_PREFIXES = ("/category/", "/items/", "/search/", "/catalogue/", "/guide/", "/annual-reports/")
# Headers about the request that made the page, not about the page: never kept for the next visitor
# (the request id may even be the first visitor's own X-Request-ID).
PER_REQUEST_HEADERS = {"x-request-id"}


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = item_token = None
        if request.method in ("GET", "HEAD") and (request.path == "/" or request.path.startswith(PUBLIC_PREFIXES)) \
                and anonymous_without_state(request, check_user=False) \
                and (request.is_secure() or not settings.SECURE_SSL_REDIRECT):  # else redirected to HTTPS below
            request.get_host()  # a Host not in ALLOWED_HOSTS is refused (400) here too, not served
            language = translation.get_language_from_request(request)
            page = None if request.META.get(cache.RENDER_ANEW) else cache.whole_page(request, language)
            if page is not None:
                headers, content, current = page
                if current or not cache.claim_rerender(request, language):
                    return HttpResponse(content, headers=headers)
                return PageServedBeforeRerender(content, headers=headers, rerender=(request, language))
            item_token = cache.item_token(request)  # before the page renders: a change meanwhile is newer
        response = self.get_response(request)
        if language is not None and getattr(response, "same_for_every_visitor", False) and response.status_code == 200 \
                and not response.cookies and not response.streaming:
            headers = {name: value for name, value in response.items() if name.lower() not in PER_REQUEST_HEADERS}
            cache.keep_whole_page(request, language, item_token, headers, response.content)
        return response


class PageServedBeforeRerender(HttpResponse):
    """A page kept from before the last change; once the server has sent it (close()), the page is
    rendered for the current version in this thread, before the request's end closes its database
    connection. A failure is logged, never shown: the visitor already has a page."""

    def __init__(self, *args, rerender, **kwargs):
        super().__init__(*args, **kwargs)
        self._rerender = rerender

    def close(self):
        try:
            cache.rerender(*self._rerender)
        except Exception:
            log.exception("rendering a public page anew failed")
        finally:
            super().close()
