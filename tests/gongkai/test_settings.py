import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code_or_args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(env_overrides)
    return subprocess.run([sys.executable, *code_or_args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run(["manage.py", "check"], DJANGO_SETTINGS_MODULE="gongkai.settings_production", GONGKAI_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no development key generated either


def test_production_refuses_a_short_secret_key(tmp_path):
    result = _run(["manage.py", "check"], DJANGO_SETTINGS_MODULE="gongkai.settings_production", SECRET_KEY="changeme")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_passes_check_deploy_with_zero_warnings(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="gongkai.settings_production",
        SECRET_KEY=secrets.token_urlsafe(50),
        GONGKAI_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_malformed_boolean_stops_start_up_with_a_clear_error(tmp_path):
    result = _run(["manage.py", "check"], DEBUG="maybe", GONGKAI_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_development_generates_its_secret_key_into_var(tmp_path):
    result = _run(["manage.py", "check"], GONGKAI_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_production_answers_health_probes_over_plain_http_and_redirects_the_rest(tmp_path):
    # A load balancer probes the web containers directly, without the TLS proxy's header.
    code = "from django.test import Client; c = Client(HTTP_HOST='localhost'); print(c.get('/healthz').status_code, c.get('/').status_code)"
    result = _run(
        ["manage.py", "shell", "-v", "0", "-c", code],
        DJANGO_SETTINGS_MODULE="gongkai.settings_production",
        SECRET_KEY=secrets.token_urlsafe(50),
        GONGKAI_VAR_DIR=str(tmp_path),
    )
    assert result.stdout.split() == ["200", "301"], result.stderr


def test_a_visibility_timeout_not_longer_than_the_longest_task_stops_start_up(tmp_path):
    """Redis would hand a still-running task to a second worker: refused at start-up."""
    result = _run(["manage.py", "check"], GONGKAI_VAR_DIR=str(tmp_path), CELERY_VISIBILITY_TIMEOUT="300",
                  CELERY_TASK_TIME_LIMIT="360")
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT" in result.stderr


def test_celery_runs_tasks_at_least_once_within_time_limits_and_beat_runs_the_reconciler():
    from gongkai.celery import app

    conf = app.conf
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit < conf.broker_transport_options["visibility_timeout"]
    reconcile = [job for job in conf.beat_schedule.values() if job["task"] == "operations.reconcile"]
    assert len(reconcile) == 1 and reconcile[0]["schedule"] == 60.0  # every RECONCILE_SECONDS (default)


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile_page_queries():
    # JIT-compiling the office's task counts on every request made its inbox several times slower
    # at 100,000 items; page queries are too short to gain from it.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_migrating_the_embedded_database_prints_no_warnings(tmp_path):
    # ./bin/serve migrates the SQLite database on every start: an operator reading its output
    # should see no system-check warnings (e.g. about PostgreSQL-only index features).
    result = _run(["manage.py", "migrate", "-v", "0"], DATABASE_URL="", GONGKAI_VAR_DIR=str(tmp_path),
                  SQLITE_PATH=str(tmp_path / "fresh.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr and "System check identified" not in result.stdout + result.stderr
