"""After changes commit, a worker renders the public pages most visitors open (portal.cache.warm),
so that the first visitors after a publication find them ready instead of each rendering them."""

import datetime
import re
import time
import uuid

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from audit import context as audit_context
from portal import cache
from records.models import Record
from tests.portal import factory
from workflow.models import CatalogueEntry, DisclosureItem, State

TITLE = "2026年学费收费标准公示（更新）"


def publish_committed(title):
    """An item drafted, reviewed and published through the workflow, each step committed, as the
    office's clicks would be (on-commit jobs run). Now, not at a travelled time: cached entries
    expire by the clock."""
    now = timezone.now()
    item = factory.draft("21", title=title, produced_on=timezone.localdate(), when=now)
    item = factory.review(item, when=now)
    return factory.publish(item, when=now)


def first_visit(client, path, language="zh-hans"):
    """A visitor's request to a web process that has not read the site's version yet: returns the
    page and the SQL statements it cost."""
    cache.forget_version()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.fixture
def committed(transactional_db, demo):
    """Commits are real here (the page cache starts empty: tests/conftest.py)."""


@pytest.fixture
def shared_cache(settings, monkeypatch):
    """Production's setting: one Redis cache for the web processes and the workers (worker
    processes started after this fixture inherit it). Keys of this test's own."""
    url, prefix = settings.CELERY_BROKER_URL, f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("REDIS_CACHE_URL", url)
    monkeypatch.setenv("REDIS_CACHE_PREFIX", prefix)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}}
    cache.forget_version()


def wait_until_warm(worker, deadline_seconds=90):
    """Until the record of every publication is issued (the last change the jobs make) and the
    worker has warmed the version that leaves."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        cache.forget_version()
        published = DisclosureItem.objects.filter(state=State.PUBLISHED)
        recorded = Record.objects.filter(kind=Record.Kind.PUBLICATION, item__in=published).count() == published.count()
        settled = recorded and django_cache.get(cache.WARM_PENDING) is None
        if settled and django_cache.get(cache.warmed_key(cache.current_version())):
            return
        time.sleep(0.2)
    raise AssertionError("the pages were not warmed:\n" + worker.log_path.read_text())


def warm_before_the_test(worker):
    """A version the worker has warmed, whether or not the demo's set-up just made one (it does
    only on a database a transactional test emptied before)."""
    with transaction.atomic():
        cache.bump()
    wait_until_warm(worker)


@pytest.mark.redis
def test_after_a_publication_a_worker_warms_the_pages_for_the_first_visitors(client, shared_cache, celery_worker, demo):
    item = publish_committed(TITLE)
    wait_until_warm(celery_worker)
    assert re.search(r"warmed \d+ public pages", celery_worker.log_path.read_text())

    category = CatalogueEntry.objects.get(code="21").category
    for path, language, expected in [("/", "zh-hans", TITLE), ("/", "en", TITLE), (f"/category/{category.number}/", "zh-hans", TITLE),
                                     (f"/items/{item.pk}/", "zh-hans", TITLE)]:
        page, statements = first_visit(client, path, language)
        assert expected in page
        assert statements == 1, f"{path} ({language}) was rendered for its first visitor"  # the version, no page query
    english, _ = first_visit(client, "/", "en")
    assert "Information disclosure" in english and "信息公开专栏" not in english


@pytest.mark.redis
def test_a_worker_that_starts_warms_the_pages_of_its_code(client, shared_cache, demo, celery_worker):
    """After an upgrade the cache holds no page of the new code: its first worker renders them as
    it starts, with no change to the site since (the demo was seeded before the worker started)."""
    wait_until_warm(celery_worker)
    assert re.search(r"warmed \d+ public pages", celery_worker.log_path.read_text())
    page, statements = first_visit(client, "/")
    assert "信息公开专栏" in page and statements == 1


@pytest.mark.redis
def test_until_the_worker_has_warmed_them_the_menu_pages_are_served_as_they_were(client, shared_cache, celery_worker, demo, settings):
    """In the seconds between a publication and the worker's warming, the column's first visitors
    get it as it was instead of each rendering it; after the warming, the new one from the cache."""
    warm_before_the_test(celery_worker)
    settings.PORTAL_WARM_DELAY = 5
    publish_committed(TITLE)
    page, _statements = first_visit(client, "/")
    assert TITLE not in page and "信息公开专栏" in page
    wait_until_warm(celery_worker)
    page, statements = first_visit(client, "/")
    assert TITLE in page and statements == 1


@pytest.mark.redis
def test_a_burst_of_changes_is_warmed_once_at_its_end(client, shared_cache, celery_worker, demo):
    warm_before_the_test(celery_worker)
    before = celery_worker.log_path.read_text().count("public pages for version")
    for _ in range(10):  # ten changes committed in a row, as an import's chunks or a record per item
        with transaction.atomic():
            cache.bump()
    wait_until_warm(celery_worker)
    log = celery_worker.log_path.read_text()
    assert log.count("public pages for version") - before == 1, log
    assert f"for version {cache.current_version()}" in log
    _, statements = first_visit(client, "/")
    assert statements == 1


def test_warming_renders_what_a_visitor_would_get_once_per_version(client, committed, rf):
    publish_committed(TITLE)
    # Called here inside a "request" of the caller's own: its language and audit context stay.
    token = audit_context.set_for_request(rf.get("/workflow/"), "the-callers-request")
    try:
        with translation.override("en"):
            rendered = cache.warm()
            assert translation.get_language() == "en"
        assert audit_context.current()["request_id"] == "the-callers-request"
    finally:
        audit_context.reset(token)
    assert rendered == len(settings.LANGUAGES) * len(cache.warm_paths())
    assert cache.warm() is None  # this version is warm already

    paths = cache.warm_paths()
    assert any(path.startswith("/items/") for path in paths)  # the new publication's own page
    for path in paths:
        page, statements = first_visit(client, path)
        assert statements == 1, path
    page, _ = first_visit(client, "/")
    assert TITLE in page


def test_without_a_worker_the_office_does_not_wait_for_the_pages_the_scheduler_warms_them(client, committed, caplog):
    """Under ./bin/serve (no broker) jobs run in the office's own request: no warming there. The
    periodic job, run by the web process's scheduler thread there, warms them within a minute."""
    from portal.tasks import keep_pages_warm

    publish_committed(TITLE)
    assert "public pages for version" not in caplog.text
    entry = settings.CELERY_BEAT_SCHEDULE["portal-keep-warm"]
    assert entry["task"] == keep_pages_warm.name and entry["schedule"] == settings.PORTAL_WARM_CHECK_SECONDS
    assert keep_pages_warm.apply().get() == len(settings.LANGUAGES) * len(cache.warm_paths())
    page, statements = first_visit(client, "/")
    assert TITLE in page and statements == 1


def test_under_bin_serve_the_scheduler_warms_the_pages_as_the_process_starts(client, committed):
    """A restart of ./bin/serve empties its cache (the process's memory): the scheduler renders the
    menu pages at once, not a minute later, and no other job runs before its interval."""
    from gongkai.inprocess import run_due

    publish_committed(TITLE)
    assert run_due(settings.CELERY_BEAT_SCHEDULE, {}) == {"portal-keep-warm": True}
    page, statements = first_visit(client, "/")
    assert TITLE in page and statements == 1


def test_the_periodic_job_renders_the_pages_afresh_before_they_expire(client, committed):
    publish_committed(TITLE)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert cache.keep_warm()
        assert cache.keep_warm() is None  # warm: nothing to do
    with time_machine.travel(start + datetime.timedelta(seconds=settings.PORTAL_CACHE_SECONDS // 2 + 5), tick=False):
        assert cache.keep_warm()  # half their life is gone: rendered again
    with time_machine.travel(start + datetime.timedelta(seconds=settings.PORTAL_CACHE_SECONDS + 5), tick=False):
        _, statements = first_visit(client, "/")  # the first rendering has expired by now
        assert statements == 1


def test_pages_no_job_renders_again_expire_and_cost_their_first_visitor_a_render(client, committed):
    """The counter-check of the test above."""
    publish_committed(TITLE)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert cache.keep_warm()
    with time_machine.travel(start + datetime.timedelta(seconds=settings.PORTAL_CACHE_SECONDS + 5), tick=False):
        page, statements = first_visit(client, "/")
        assert TITLE in page and statements > 1


def test_a_worker_whose_cache_is_its_own_memory_warms_nothing(committed):
    """Pages in a worker process's own memory would serve no visitor."""
    from celery import current_app

    current_app.conf.task_always_eager = False  # a worker's view: jobs go to the broker
    try:
        assert cache.keep_warm() is None
        with transaction.atomic():
            cache.bump()  # and no job is queued for it
        assert django_cache.get(cache.WARM_PENDING) is None
    finally:
        current_app.conf.task_always_eager = True
