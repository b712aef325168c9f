"""Caching the public pages.

Public pages change only when something is published, withdrawn or superseded, when a record is
issued, or when the office edits the catalogue. Each of those changes the token of one row
(portal.SiteVersion) inside the transaction that makes the change; pages are cached under
(token, language, URL). Every process reads the token at most once per
PORTAL_VERSION_SECONDS (default 1 s), so a publication made by another process (the Celery worker
that publishes) shows everywhere within that time, with or without a shared cache (REDIS_CACHE_URL);
the process that made the change sees it at once. PORTAL_CACHE_SECONDS bounds how long an entry
lives in any case.

After changes commit, a worker renders the pages most visitors open (the column, the category
pages, search, feed, catalogue, guide, annual reports, the latest publications' own pages) for the
new version in every language (`schedule_warm`, `warm`), so that the first visitors after a
publication do not each render them. A periodic job (`keep_warm`) renders them afresh before they
expire, and again after the cache server lost them."""

import hashlib
import io
import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from portal.models import SiteVersion

log = logging.getLogger(__name__)

_memo = {"value": None, "read_at": 0.0}
_memo_lock = threading.Lock()


def current_version():
    now = time.monotonic()
    if _memo["value"] is not None and now - _memo["read_at"] < settings.PORTAL_VERSION_SECONDS:
        return _memo["value"]

    value = SiteVersion.objects.filter(pk=1).values_list("token", flat=True).first() or "0"
    with _memo_lock:
        _memo["value"], _memo["read_at"] = value, now
    return value


def forget_version():
    """Drop this process's memo of the token (the next request reads the database)."""
    with _memo_lock:
        _memo["value"] = None


def bump():
    """Invalidate every cached public page. Call inside the transaction of the change."""
    token, now = uuid.uuid4().hex, timezone.now()
    if not SiteVersion.objects.filter(pk=1).update(token=token, changed_at=now):
        SiteVersion.objects.update_or_create(pk=1, defaults={"token": token, "changed_at": now})
    forget_version()
    # The change is visible to others only after commit: read the token again then, too.
    transaction.on_commit(forget_version)
    transaction.on_commit(schedule_warm, robust=True)  # a lost job only leaves pages to their first visitor


WARM_PENDING = "portal:warm-pending"


def schedule_warm():
    """After a change commits, have a worker warm the pages PORTAL_WARM_DELAY seconds later: one
    job for a burst of changes (an import, a record per item), which warms the last version.
    Not without a worker (./bin/serve: tasks run in the request, and the office would wait for
    the pages), nor when the cache is each process's own memory (a worker's would serve nobody)."""
    from celery import current_app

    from portal.tasks import warm_pages

    if current_app.conf.task_always_eager or _cache_of_its_own():
        return
    if not cache.add(WARM_PENDING, True, settings.PORTAL_WARM_DELAY + 60):  # a job is waiting: it will see this version
        return
    try:
        warm_pages.apply_async(countdown=settings.PORTAL_WARM_DELAY)
    except Exception:
        cache.delete(WARM_PENDING)  # the broker refused it: the next change tries again
        raise


# The query parameters the public pages read; others do not change a page's body.
PAGE_PARAMETERS = ("q", "category", "entry", "department", "year", "page")


def page_key(request, language):
    """Key of a whole page (the frame repeats the full URL, so the full URL is the key; the scheme
    too, because the headers differ)."""
    digest = hashlib.sha1(request.get_full_path().encode("utf-8")).hexdigest()
    return f"portal:{current_version()}:{language}:{request.scheme}:{digest}"


def body_key(request, language):
    """Key of a page's body: the path and only the parameters the pages read, so that junk in
    the query string costs a frame render at most, never a new query of the items."""
    params = "&".join(f"{name}={request.GET.get(name, '')}" for name in PAGE_PARAMETERS if request.GET.get(name))
    digest = hashlib.sha1(f"{request.path}?{params}".encode("utf-8")).hexdigest()
    return f"portal:{current_version()}:{language}:body:{digest}"


def get(key):
    return cache.get(key)


def put(key, value):
    cache.set(key, value, settings.PORTAL_CACHE_SECONDS)


def warm_paths():
    """The pages warmed after each change: those a visitor reaches from the column's menu, and
    the latest publications the column lists (a new one is what visitors open next)."""
    from django.urls import reverse

    from portal.public import LATEST_ON_INDEX, listed_items
    from workflow.models import CatalogueCategory

    names = ("index", "search", "feed", "catalogue", "guide", "annual-reports")
    numbers = CatalogueCategory.objects.order_by("order", "number").values_list("number", flat=True)
    latest = listed_items().values_list("pk", flat=True)[:LATEST_ON_INDEX]
    return ([reverse(f"portal:{name}") for name in names] + [reverse("portal:category", args=[n]) for n in numbers]
            + [reverse("portal:item", args=[pk]) for pk in latest])


def _cache_of_its_own():
    """Whether each process has a cache of its own (no REDIS_CACHE_URL)."""
    return settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def keep_warm():
    """The periodic job (every PORTAL_WARM_CHECK_SECONDS): warm the current version if no job did
    in the last half of PORTAL_CACHE_SECONDS, so the pages are rendered afresh before they expire,
    and soon after the cache server restarted empty or a warming job was lost. Under ./bin/serve
    (no broker) it runs in the web process's scheduler thread: its cache is the one visitors read.
    A worker whose cache is its own memory would serve nobody: it does nothing."""
    from celery import current_app

    if not current_app.conf.task_always_eager and _cache_of_its_own():
        return None
    return warm()


def warm_scheduled():
    """The job schedule_warm queued: first let a change committed from now on schedule another
    (which will see its version), then warm the current version."""
    cache.delete(WARM_PENDING)
    return warm()


def warm():
    """Render the warm_paths pages of the current version, in every language, into the cache,
    through the whole request stack as an anonymous visitor's request would go: the pages cached
    are the ones such a visitor would have made. Once per version. Returns how many pages were
    rendered, or None when this version was warm already.

    Runs in a thread of its own: its requests set per-request state (language, audit context,
    database connection) that must not touch the caller's."""
    result = {}
    worker = threading.Thread(target=_warm_here, args=(result,), name="portal-warm")
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result.get("rendered")


def _warm_here(result):
    from django.db import connections

    try:
        forget_version()
        version = current_version()
        marker = f"portal:{version}:warmed"
        if cache.get(marker):
            return
        rendered = 0
        for path in warm_paths():
            for language, _name in settings.LANGUAGES:
                status = _visit(path, language)
                if status != 200:
                    log.warning("warming %s (%s): status %s", path, language, status)
                rendered += 1
        log.info("warmed %d public pages for version %s", rendered, version)
        cache.set(marker, True, settings.PORTAL_CACHE_SECONDS // 2)  # keep_warm renders them again then
        result["rendered"] = rendered
    except Exception as error:  # the caller re-raises it in its own thread
        result["error"] = error
    finally:
        connections.close_all()


_handler = {}


def _visit(path, language):
    """One anonymous GET of path on the public site (SITE_URL's scheme and host), in language."""
    from urllib.parse import urlsplit

    from django.core.handlers.base import BaseHandler
    from django.core.handlers.wsgi import WSGIRequest

    if "stack" not in _handler:
        handler = BaseHandler()
        handler.load_middleware()
        _handler["stack"] = handler
    site = urlsplit(settings.SITE_URL)
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": site.hostname or "localhost", "SERVER_PORT": str(site.port or (443 if site.scheme == "https" else 80)),
        "HTTP_HOST": site.netloc, "HTTP_ACCEPT_LANGUAGE": language, "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": site.scheme, "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(),
    }
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header and site.scheme == "https":
        environ[proxy_header[0]] = proxy_header[1]
    request = WSGIRequest(environ)
    # Rendered afresh, not served from the entries it replaces (the page whole, its body, the feed).
    page = page_key(request, language)
    cache.delete_many([page + ":response", page + ":feed", body_key(request, language)])
    response = _handler["stack"].get_response(request)
    response.close()
    return response.status_code
