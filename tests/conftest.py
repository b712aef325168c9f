"""Shared fixtures: the demo school's personas, service markers, and fast password hashing.

Tests marked `postgres` or `redis` need those services (DATABASE_URL, CELERY_BROKER_URL). Without
them they are skipped with the reason shown — except when GONGKAI_REQUIRE_SERVICES=1 (set by .ci/run
for its PostgreSQL+Redis pass), where a missing service fails the run instead of hiding tests."""

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from gongkai.celery import app as celery_app

# Tasks run in-process unless a test starts a real worker (see the `celery_worker` fixture).
celery_app.conf.task_always_eager = True


def _flush_past_audit_triggers(original):
    """The audit tables refuse DELETE/TRUNCATE (database triggers). Transactional tests
    (live_server, celery_worker, concurrency) flush the test database afterwards; only that flush
    bypasses the triggers (audit.triggers.suspended: session_replication_role=replica for the
    PostgreSQL test superuser, drop+recreate on SQLite). Production code never flushes."""

    def handle(self, **options):
        from django.db import connections

        from audit.triggers import suspended

        with suspended(connections[options.get("database") or "default"]):
            return original(self, **options)

    return handle


from django.core.management.commands import flush as _flush_command  # noqa: E402

_flush_command.Command.handle = _flush_past_audit_triggers(_flush_command.Command.handle)


def _require_services():
    return os.environ.get("GONGKAI_REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    have_postgres = connection.vendor == "postgresql"
    have_redis = bool(settings.CELERY_BROKER_URL)
    for item in items:
        missing = []
        if item.get_closest_marker("postgres") and not have_postgres:
            missing.append("PostgreSQL (DATABASE_URL)")
        if item.get_closest_marker("redis") and not have_redis:
            missing.append("Redis (CELERY_BROKER_URL)")
        if not missing:
            continue
        reason = "needs " + " and ".join(missing)
        if _require_services():
            item.add_marker(pytest.mark.usefixtures("_fail_missing_service"))
            item.user_properties.append(("missing", reason))
        else:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _fail_missing_service(request):
    reason = dict(request.node.user_properties).get("missing")
    pytest.fail(f"{reason}, and GONGKAI_REQUIRE_SERVICES=1 forbids skipping")


@pytest.fixture(autouse=True)
def _own_audit_signer_state(tmp_path, monkeypatch):
    """Each test's database starts from the seed, so each keeps its own copy of the last signed
    checkpoint (audit.signer_state); worker processes started by the test inherit it."""
    monkeypatch.setenv("AUDIT_SIGNER_STATE_FILE", str(tmp_path / "audit-signer-state.txt"))


@pytest.fixture(autouse=True)
def _no_public_page_of_another_test():
    """Each test's database starts from the seed, with the site tokens of the seed: a public page
    kept by an earlier test (portal.cache) would pass for one of this test's database."""
    from django.core.cache import cache as django_cache

    from portal import cache

    django_cache.clear()
    cache.forget_version()
    cache.forget_values_of_version()


# Tests hash many passwords; a fast hasher keeps them quick (set before any hashing happens).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Long jobs run where the test can see them (tests/core/test_jobs.py starts real child processes).
settings.JOBS_IN_CHILD_PROCESS = False


def _seed_demo():
    import importlib

    from django.apps import apps as django_apps

    from policies.models import Department
    from workflow.channels import Channel

    if not Department.objects.filter(code="dzb").exists():
        call_command("seed_demo", stdout=open(os.devnull, "w"))
    if not Channel.objects.exists():
        # The channel table is seeded by migrations (portal's, where it lived first); a
        # transactional test's flush empties it.
        class Apps:
            @staticmethod
            def get_model(app_label, model_name):
                return Channel if model_name == "Channel" else django_apps.get_model(app_label, model_name)

        for name in ("0002_seed_channels", "0003_channel_online_and_report_channels"):
            importlib.import_module(f"portal.migrations.{name}").seed(Apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the demo school once; each test's transaction rolls back to it."""
    with django_db_blocker.unblock():
        _seed_demo()


@pytest.fixture
def demo(db):
    """The demo school of CONTRACT.md: departments, users and roles (password gongkai-demo).
    Seeded again if a transactional test has flushed the database."""
    _seed_demo()


@pytest.fixture
def user(demo, django_user_model):
    """Look up a demo persona by username: user("cwc_head")."""
    return lambda username: django_user_model.objects.get(username=username)


def test_database_env():
    """The environment that points a process started by a test at this test's database."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return {"DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
    return {"SQLITE_PATH": str(db["NAME"])}


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real Celery worker process on the Redis broker, reading this test's database.
    Tasks sent while it runs go to a queue of its own, so no other worker can take them."""
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    queue = f"gongkai-test-{uuid.uuid4().hex[:10]}"
    # Its log is read by tests; the jobs it queues itself go to its own queue too.
    env = dict(os.environ, PYTHONUNBUFFERED="1", CELERY_TASK_DEFAULT_QUEUE=queue, **test_database_env())
    if "SQLITE_PATH" in env:
        env.pop("DATABASE_URL", None)
    log_path = tmp_path / "worker.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "gongkai", "worker", "--pool", "prefork", "--concurrency", "1",
         "--queues", queue, "--hostname", f"{queue}@%h", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=Path(__file__).resolve().parents[1], env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_routes = {"*": {"queue": queue}}
    celery_app.amqp.flush_routes()  # the route table and the router are both cached
    celery_app.amqp.__dict__.pop("router", None)  # the router is cached with the old routes
    process.queue, process.log_path = queue, log_path
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        celery_app.conf.task_always_eager = True
        celery_app.conf.task_routes = None
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)


@pytest.fixture
def jobs_in_child_process(transactional_db, settings, monkeypatch):
    """Long jobs as ./bin/serve runs them on its defaults: no broker, each in a child process of its
    own (core.jobs), reading this test's database."""
    settings.JOBS_IN_CHILD_PROCESS = True
    database = test_database_env()
    for name, value in database.items():
        monkeypatch.setenv(name, value)
    if "SQLITE_PATH" in database:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # the child runs its job itself, as ./bin/serve


# Playwright's sync API runs an event loop in this thread; Django's ORM then refuses to run unless
# told that this is deliberate (the test thread never serves async code).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (Chinese UI) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


@pytest.fixture
def login(page, demo):
    """login("cwc_head") logs the page in through the real login form."""

    def _login(username, password="gongkai-demo"):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_url("**/home/")
        return page

    return _login
