import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from guardian.models import UserObjectPermission
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from gongkai.management.commands.seed_demo import demo_usernames
from policies.models import Department, Membership

ROOT = Path(__file__).resolve().parents[2]
DEPARTMENT_CODES = ["cwc", "dzb", "jdxy", "jwc", "kyc", "rsc", "xsc", "zsb"]


def snapshot():
    return (
        get_user_model().objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        UserObjectPermission.objects.count(),
        AuditEvent.objects.count(),
    )


def test_seed_creates_every_contract_user_with_the_default_password(demo):
    assert sorted(Department.objects.values_list("code", flat=True)) == DEPARTMENT_CODES
    for username in ["office", "leader", "auditor"] + [f"{c}_{r}" for c in DEPARTMENT_CODES for r in ("liaison", "head", "reviewer")]:
        assert username in demo_usernames()
        assert authenticate(username=username, password="gongkai-demo") is not None, username
    assert Department.objects.get(code="jdxy").kind == Department.Kind.COLLEGE
    assert Department.objects.get(code="dzb").hosts_office


def test_seed_is_idempotent(demo):
    first = snapshot()
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert snapshot() == first


def test_seed_with_a_password_resets_it(demo):
    call_command("seed_demo", password="another-secret", stdout=open(os.devnull, "w"))
    assert authenticate(username="cwc_head", password="another-secret") is not None
    assert authenticate(username="cwc_head", password="gongkai-demo") is None


def test_a_short_password_is_refused_and_nothing_is_written(demo):
    before = snapshot()
    with pytest.raises(CommandError, match="at least 8 characters"):
        call_command("seed_demo", password="short")
    assert snapshot() == before
    assert authenticate(username="cwc_head", password="gongkai-demo") is not None


def _manage(*args, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env["GONGKAI_VAR_DIR"] = str(tmp_path)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_an_unknown_option_is_one_clear_line(tmp_path):
    result = _manage("seed_demo", "--bogus", tmp_path=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["manage.py seed_demo: error: unrecognized arguments: --bogus"]
    assert not (tmp_path / "gongkai.sqlite3").exists() or (tmp_path / "gongkai.sqlite3").stat().st_size == 0


def test_issue_token_prints_one_stable_token(demo):
    out1, out2 = io.StringIO(), io.StringIO()
    call_command("issue_token", "cwc_head", stdout=out1)
    call_command("issue_token", "cwc_head", stdout=out2)
    key = out1.getvalue().strip().splitlines()[-1]
    assert len(key) == 40 and key == out2.getvalue().strip().splitlines()[-1]
    assert Token.objects.get(key=key).user.username == "cwc_head"
    assert AuditEvent.objects.filter(action="api_token.issue").count() == 1


def test_issue_token_for_an_unknown_user_fails_cleanly(tmp_path, demo):
    with pytest.raises(CommandError, match="unknown user 'nobody'"):
        call_command("issue_token", "nobody")
    assert Token.objects.count() == 0
    assert _manage("migrate", "-v", "0", tmp_path=tmp_path).returncode == 0
    result = _manage("issue_token", "nobody", tmp_path=tmp_path)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr

