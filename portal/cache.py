"""Caching the public pages.

Public pages change only when something is published, withdrawn or superseded, when a record is
issued, or when the office edits the catalogue or the guide, or renames a department or a channel
(portal.signals). Each of those changes the token of one row
(portal.SiteVersion) inside the transaction that makes the change; pages are cached under
(token, language, URL). Every process reads the token at most once per
PORTAL_VERSION_SECONDS (default 1 s), so a publication made by another process (the Celery worker
that publishes) shows everywhere within that time, with or without a shared cache (REDIS_CACHE_URL);
the process that made the change sees it at once. PORTAL_CACHE_SECONDS bounds how long an entry
is served as current in any case.

A kept page of an older token is not thrown away at once: its next visitor may still get it, and
the page is then rendered for the current token after that visitor's response is sent (stale while
revalidating, as a CDN's grace mode). So a change costs no visitor a render of a page someone
opened before it. This holds for an item's page, a search and a list filtered or paged (by the
parameters the pages read): there are as many of them as items and searches, too many to render
after each change. The pages the column's menu links to are where a change shows first and what
the office checks after it: they are served as they were only in the seconds before a worker
renders them for the change (`schedule_warm`), and are otherwise current (always under ./bin/serve,
which has no worker). Never a page that shows something taken down since it was made (an item
withdrawn or superseded, or taken off a channel: the item's own page and every page that links to
it; PublicTakedown), nor any page from before a restored database (forget_pages_from_before). Nor an
item's page after a change to what it shows (its fields, record, channels: PublicItemChange).
PORTAL_STALE_SECONDS bounds how long a page is kept. Every key carries the identity of the code
that made the page and of the settings it shows (code_identity): an upgrade's visitors never get a
page of the code before it, nor a restart's with another school name or address; a restart of the
same code and settings keeps every page.

After changes commit, a worker renders the pages most visitors open (the column, the category
pages, search, feed, catalogue, guide, annual reports, the latest publications' own pages) for the
new version in every language (`schedule_warm`, `warm`), so that the first visitors after a
publication do not each render them. A periodic job (`keep_warm`) renders them afresh before they
expire, and again after the cache server lost them; a worker runs it as it starts (an upgrade's
code finds none of its pages), as ./bin/serve's scheduler does."""

import functools
import hashlib
import io
import logging
import os
import re
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from portal.models import PublicItemChange, PublicTakedown, SiteVersion

log = logging.getLogger(__name__)

_memo = {"value": None, "read_at": 0.0}
_memo_lock = threading.Lock()


def _tokens():
    """(token, takedown token), read at most once per PORTAL_VERSION_SECONDS."""
    now = time.monotonic()
    if _memo["value"] is not None and now - _memo["read_at"] < settings.PORTAL_VERSION_SECONDS:
        return _memo["value"]

    value = _site_state() or ("0", "0")
    with _memo_lock:
        _memo["value"], _memo["read_at"] = value, now
    return value


def current_version():
    return _tokens()[0]


def forget_version():
    """Drop this process's memo of the token (the next request reads the database)."""
    with _memo_lock:
        _memo["value"] = None


_of_version = {"memo": (None, {})}  # (the token the values were computed for, {name: value})


def of_version(name, compute):
    """compute(), once per site version in this process, for a value made only of what changes the
    version when it changes (the filters' years, departments and categories; the channels): the
    first renders of the lists and items after a change need not each read it again."""
    token = current_version()
    memo_token, values = _of_version["memo"]
    if memo_token != token:
        values = {}
        _of_version["memo"] = (token, values)
    if name not in values:
        values[name] = compute()
    return values[name]


def forget_values_of_version():
    """For a test's fresh database, whose token is the seed's."""
    _of_version["memo"] = (None, {})


def bump(taken_down=(), item_ids=()):
    """Invalidate every cached public page. Call inside the transaction of the change; with the
    items taken away from the public (taken_down: withdrawn, superseded, a post taken off a
    channel), so that no page from before that shows them is served; with the items whose own
    pages the change shows on (their fields, records, channels), so that their pages from before
    are not served either."""
    changes = {"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    # The version row first: its lock orders concurrent takedowns, so their ids follow their commits.
    if not SiteVersion.objects.filter(pk=1).update(**changes):
        SiteVersion.objects.update_or_create(pk=1, defaults=changes)
    if taken_down:
        _record_takedowns(taken_down)
    if item_ids:
        PublicItemChange.objects.bulk_create([PublicItemChange(item_id=pk, token=changes["token"]) for pk in item_ids],
                                             update_conflicts=True, unique_fields=["item"], update_fields=["token"])
    forget_version()
    # Until the notice after commit, the cache remembers no state: a change whose notice is lost (the
    # process killed in between) makes the next migrate refuse the pages, even on a database
    # restored to exactly the state before it.
    _forget_site_state()
    # The change is visible to others only after commit: read the token again then, too.
    transaction.on_commit(forget_version)
    transaction.on_commit(_remember_site_state, robust=True)  # unsaid, the next migrate refuses the pages: safe
    transaction.on_commit(schedule_warm, robust=True)  # a lost job only leaves pages to their first visitor


# The site's tokens as the cache last saw them committed: what tells a restart from a restore.
SITE_STATE = "portal:site-state"


def _site_state(using="default"):
    """(token, takedown token) as the database holds them, or None before its first change."""
    return SiteVersion.objects.using(using).filter(pk=1).values_list("token", "takedown_token").first()


def _remember_site_state(using="default"):
    cache.set(SITE_STATE, _site_state(using), None)


def _forget_site_state():
    _quietly(cache.delete, SITE_STATE)


def _quietly(call, *args):
    """A call to the page cache on the way of a change or a migrate: a cache out of reach must not
    fail them (its pages are out of reach too); None then."""
    try:
        return call(*args)
    except Exception:
        log.warning("could not tell the page cache of a change or a migrate", exc_info=True)
        return None


def forget_pages_from_before(using="default"):
    """After a migrate: a restart of the same database keeps every page (the cache last saw its
    tokens). A restored database, or one changed while the cache could not be told, may be from
    before the pages were made (they could show what it never published): no page kept from before
    is served then while its new version renders. Pages of the current token stay current. Other
    code never finds the pages of the code before it (code_identity)."""
    state = _site_state(using)
    if state is not None and _quietly(cache.get, SITE_STATE) == state:
        return
    _record_takedowns([None], using)
    forget_version()
    _quietly(_remember_site_state, using)


def _record_takedowns(item_ids, using="default"):
    for item_id in item_ids:
        token = uuid.uuid4().hex
        PublicTakedown.objects.using(using).create(token=token, item_id=item_id)
    SiteVersion.objects.using(using).filter(pk=1).update(takedown_token=token)


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
    # Until the job has run, visitors get the menu pages as they were (whole_page), not each a render.
    cache.set(_warm_due_key(current_version()), True, settings.PORTAL_WARM_DELAY + WARM_DUE_GRACE_SECONDS)
    if not cache.add(WARM_PENDING, True, settings.PORTAL_WARM_DELAY + 60):  # a job is waiting: it will see this version
        return
    try:
        warm_pages.apply_async(countdown=settings.PORTAL_WARM_DELAY)
    except Exception:
        cache.delete(WARM_PENDING)  # the broker refused it: the next change tries again
        raise


# How long after its due time a warming job is waited for; then the menu pages' visitors render them.
WARM_DUE_GRACE_SECONDS = 30


def _warm_due_key(token):
    return f"{_scope(token)}:warm-due"


def warmed_key(token):
    return f"{_scope(token)}:warmed"


def _scope(token=None):
    """What every key of the current version starts with: the code's identity and the site's token."""
    return f"portal:{code_identity()}:{token or current_version()}"


# What the pages are made of besides the database: the code, its templates, translations and static
# files, and the libraries it runs on (pinned in requirements.lock). Not data, tests or the venv.
CODE_SUFFIXES = (".py", ".html", ".txt", ".xml", ".mo", ".css", ".js", ".svg", ".lock")
NOT_CODE = {".venv", "var", ".git", "tests", "bench", "node_modules", "__pycache__"}


# The settings a page shows or is served with: a restart with another school name, address, time
# zone, page size or HTTPS policy must not serve the pages made before it.
PAGE_SETTINGS = ("SCHOOL_NAME", "SITE_URL", "TIME_ZONE", "LANGUAGE_CODE", "PORTAL_PAGE_SIZE", "PORTAL_FEED_SIZE",
                 "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")


@functools.cache
def code_identity():
    """A digest of the code that renders the pages and of the settings they show (computed once
    per process, about 20 ms)."""
    shown = [(name, getattr(settings, name, None)) for name in PAGE_SETTINGS]
    shown.append(("LANGUAGES", [code for code, _name in settings.LANGUAGES]))  # the names are lazy, per request
    text = f"{digest_of_code(Path(settings.BASE_DIR))}\0{shown!r}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def digest_of_code(root):
    digest = hashlib.sha1()
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if name not in NOT_CODE)
        for name in sorted(files):
            if name.endswith(CODE_SUFFIXES):
                path = Path(folder, name)
                digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# The query parameters the public pages read; others do not change a page's body.
PAGE_PARAMETERS = ("q", "category", "entry", "department", "year", "page")


def page_key(request, language):
    """Key of what a URL shows for the current version (the feed; the frame of a page repeats the
    full URL, so the full URL is the key; the scheme too, because the headers differ)."""
    return f"{_scope()}:{language}:{request.scheme}:{_full_path_digest(request)}"


def _full_path_digest(request):
    return hashlib.sha1(request.get_full_path().encode("utf-8")).hexdigest()


def body_key(request, language):
    """Key of a page's body: the path and only the parameters the pages read, so that junk in
    the query string costs a frame render at most, never a new query of the items."""
    params = "&".join(f"{name}={request.GET.get(name, '')}" for name in PAGE_PARAMETERS if request.GET.get(name))
    digest = hashlib.sha1(f"{request.path}?{params}".encode("utf-8")).hexdigest()
    return f"{_scope()}:{language}:body:{digest}"


def whole_page(request, language):
    """The page kept for this request's URL and language: (headers, content, current), `current`
    False when it was made for an older token (or more than PORTAL_CACHE_SECONDS ago) and may be
    served only while its new version renders. None when there is none to serve."""
    entry = cache.get(_whole_page_key(request, language))
    if entry is None:
        return None
    token, takedown_token = _tokens()
    page_token, page_takedown_token, page_item_token, made_at, headers, content = entry
    current = page_token == token and time.time() - made_at < settings.PORTAL_CACHE_SECONDS
    if not current and (not (_may_serve_older(request) or cache.get(_warm_due_key(token)))
                        or page_item_token != item_token(request)
                        or page_takedown_token != takedown_token and _shows_taken_down(request, content, page_takedown_token)):
        return None
    return headers, content, current


def _shows_taken_down(request, content, page_takedown_token):
    """Whether a page kept under page_takedown_token may show something taken down since: the page
    of an item taken down, or a page linking to it (every page that shows an item links to it).
    True when that cannot be told: a migrate since, or the page's takedown among none of the recent."""
    since = _taken_down_since(page_takedown_token)
    if since is None or None in since:
        return True
    match = ITEM_PAGE.match(request.path)
    return (match is not None and int(match[1]) in since) or any(b"/items/%d/" % pk in content for pk in since)


# How many of the newest takedowns each process keeps in mind to judge older pages by; a page
# made before all of them is not served from before.
RECENT_TAKEDOWNS = 50
_recent_takedowns = {"memo": (None, [])}  # (the takedown token they were read for, [(token, item id)])


def _taken_down_since(page_takedown_token):
    """The items taken down after the takedown a page was made under (None for a migrate), or None
    when that one is not among the recent (read once per takedown per process)."""
    current = _tokens()[1]
    read_for, rows = _recent_takedowns["memo"]
    if read_for != current:
        rows = list(PublicTakedown.objects.order_by("-pk").values_list("token", "item_id")[:RECENT_TAKEDOWNS])
        _recent_takedowns["memo"] = (current, rows)
    since = []
    for token, item_id in rows:
        if token == page_takedown_token:
            return since
        since.append(item_id)
    return None


def item_token(request):
    """For an item's page, the token of the last change to what it shows (None when it has not
    changed since it was published, or for another page). Read before the page renders, and again
    before an older one is served: the one statement the served-while-rendering path costs."""
    match = ITEM_PAGE.match(request.path)
    if not match or not _may_serve_older(request):
        return None
    # A plain statement: the ORM would add half a millisecond to a path that costs two.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {PublicItemChange._meta.db_table} WHERE item_id = %s", [int(match[1])])
        row = cursor.fetchone()
    return row[0] if row else None


ITEM_PAGE = re.compile(r"^/items/(\d{1,18})/$")


def _may_serve_older(request):
    """An item's page, a search, a list filtered or paged (not a page the menu links to), with no
    query parameter the pages do not read."""
    if not set(request.GET) <= set(PAGE_PARAMETERS):
        return False
    return bool(request.GET) or request.path.startswith("/items/")


def keep_whole_page(request, language, page_item_token, headers, content):
    """Keep a page rendered for the tokens read before it rendered (page_item_token: item_token)."""
    token, takedown_token = _tokens()
    # Only a page that may be served older is kept longer than it is current: not one more entry
    # that lives a day for every made-up query string.
    lifetime = settings.PORTAL_STALE_SECONDS if _may_serve_older(request) else settings.PORTAL_CACHE_SECONDS
    entry = (token, takedown_token, page_item_token, time.time(), headers, content)
    cache.set(_whole_page_key(request, language), entry, lifetime)


def claim_rerender(request, language):
    """Whether this request should render the page anew after serving its older version: true for
    one request per page and token (another that finds it older meanwhile just serves it)."""
    return cache.add(f"{_whole_page_key(request, language)}:rerender:{current_version()}", True, RERENDER_CLAIM_SECONDS)


def rerender(request, language):
    """Render the page of this request for the current token, as an anonymous visitor, into the
    cache (called once the visitor that got the older page has it)."""
    # The WSGI path and query as the visitor sent them, so that the page's key comes out the same.
    status = _visit(request.META["PATH_INFO"], language, query=request.META.get("QUERY_STRING", ""),
                    scheme=request.scheme, host=request.get_host())
    if status != 200:  # the page is gone or failing now: its next visitor gets that, not the older page
        cache.delete(_whole_page_key(request, language))
        log.warning("rendering %s (%s) anew: status %s", request.get_full_path(), language, status)


# A request that claimed a page's new render and died leaves it to another after this long.
RERENDER_CLAIM_SECONDS = 60


def _whole_page_key(request, language):
    # Not per token: a page of the last token is served while the current one renders.
    return f"portal:{code_identity()}:page:{language}:{request.scheme}:{_full_path_digest(request)}"


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
        marker = warmed_key(version)
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


# Marks the requests _visit makes: portal.middleware renders them, never serves them from the cache.
RENDER_ANEW = "gongkai.portal.render_anew"


def _visit(path, language, query="", scheme=None, host=None):
    """One anonymous GET of path and query on the public site, in language, by default at
    SITE_URL's scheme and host."""
    from urllib.parse import urlsplit

    from django.core.handlers.base import BaseHandler
    from django.core.handlers.wsgi import WSGIRequest

    if "stack" not in _handler:
        handler = BaseHandler()
        handler.load_middleware()
        _handler["stack"] = handler
    site = urlsplit(settings.SITE_URL)
    scheme, host = scheme or site.scheme, host or site.netloc
    address = urlsplit(f"//{host}")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": query,
        "SERVER_NAME": address.hostname or "localhost", "SERVER_PORT": str(address.port or (443 if scheme == "https" else 80)),
        "HTTP_HOST": host, "HTTP_ACCEPT_LANGUAGE": language, "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": scheme, "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(), RENDER_ANEW: True,
    }
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header and scheme == "https":
        environ[proxy_header[0]] = proxy_header[1]
    request = WSGIRequest(environ)
    # Rendered afresh, not served from the entries it replaces (its body, the feed).
    cache.delete_many([page_key(request, language) + ":feed", body_key(request, language)])
    response = _handler["stack"].get_response(request)
    response.close()
    return response.status_code
