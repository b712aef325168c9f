"""Login abuse against a real deployment shape: gunicorn with 3 worker processes behind a proxy
that sets X-Forwarded-For. The counters live in the database, so the processes share them: the
attacker gets exactly LOGIN_FAILURE_LIMIT guesses, the victim still logs in from their own address,
and the admin login is covered the same way."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def three_processes(transactional_db, demo, tmp_path):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    # The suite hashes with MD5 for speed; the server knows only the production hashers.
    password = PBKDF2PasswordHasher().encode("gongkai-demo", "login-test-salt", iterations=1000)
    get_user_model().objects.filter(username__in=["cwc_head", "office"]).update(password=password)
    port = _free_port()
    env = dict(os.environ, TRUSTED_PROXIES="127.0.0.1", LOGIN_FAILURE_LIMIT="5", WEB_CONCURRENCY="3",
               WEB_THREADS="1", PYTHONUNBUFFERED="1")
    env.pop("CELERY_BROKER_URL", None)
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(db["NAME"])
    log = open(tmp_path / "gunicorn.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gongkai.wsgi", "--workers", "3", "--threads", "1",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=5)
                break
            except OSError:
                time.sleep(0.25)
        else:
            raise AssertionError("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-2000:])
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _login(base, path, username, password, forwarded_for):
    """One login through a fresh session, as a browser behind the proxy would: status code."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    headers = {"X-Forwarded-For": forwarded_for}
    page = opener.open(urllib.request.Request(base + path, headers=headers)).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token,
                                   "next": "/admin/" if path.startswith("/admin") else "/home/"}).encode()
    request = urllib.request.Request(base + path, data=data, headers={**headers, "Referer": base + path})
    try:
        return opener.open(request).status
    except urllib.error.HTTPError as error:
        return error.code


def test_three_processes_share_the_count_and_the_victim_still_logs_in(three_processes):
    from audit.models import AuditEvent

    base = three_processes
    # The proxy appends the address it saw; what the attacker puts in front (a new invented
    # address each time) is not believed.
    attacker, victim = "203.0.113.9", "198.51.100.7"
    answers = [_login(base, "/accounts/login/", "cwc_head", f"guess-{n}", f"192.0.2.{n}, {attacker}")
               for n in range(16)]
    # The form again with its error, four times; the fifth guess is tried and answered with the
    # lockout; every later one is refused untried, whichever process answers.
    assert answers[:4] == [200] * 4
    assert set(answers[4:]) == {429}
    assert _login(base, "/accounts/login/", "cwc_head", "gongkai-demo", attacker) == 429
    assert _login(base, "/accounts/login/", "cwc_head", "gongkai-demo", victim) == 302

    admin_answers = [_login(base, "/admin/login/", "office", f"guess-{n}", attacker) for n in range(8)]
    assert admin_answers[:4] == [200] * 4 and set(admin_answers[4:]) == {429}
    assert _login(base, "/admin/login/", "office", "gongkai-demo", attacker) == 429
    assert _login(base, "/admin/login/", "office", "gongkai-demo", victim) == 302

    failed = AuditEvent.objects.filter(action="auth.login_failed")
    assert failed.count() <= 2 * 5  # the guesses until each lockout, not every attempt
    assert failed.filter(canonical__contains='"ip":"203.0.113.9"').count() == failed.count()
