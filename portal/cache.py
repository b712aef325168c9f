"""Caching the public pages.

Public pages change only when something is published, withdrawn or superseded, when a record is
issued, or when the office edits the catalogue. Each of those changes the token of one row
(portal.SiteVersion) inside the transaction that makes the change; pages are cached under
(token, language, URL). Every process reads the token at most once per
PORTAL_VERSION_SECONDS (default 1 s), so a publication made by another process (the Celery worker
that publishes) shows everywhere within that time, with or without a shared cache (REDIS_CACHE_URL);
the process that made the change sees it at once. PORTAL_CACHE_SECONDS bounds how long an entry
lives in any case."""

import hashlib
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from portal.models import SiteVersion

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


# The query parameters the public pages read; others do not change a page's body.
PAGE_PARAMETERS = ("q", "category", "department", "year", "page")


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
