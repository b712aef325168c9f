"""The API against its own OpenAPI schema: schemathesis generates requests for every operation
(valid and invalid, hostile strings included) with an office token and a liaison token against a
live server, and runs every check it has: no response of 500 or more; status, content type, headers
and body as the schema says; invalid requests refused; schema-valid requests accepted (a 400 only
where schemathesis.toml and schemathesis_hooks.RULES name a rule the schema cannot say, and naming
only those fields); authentication honoured. Bounded: a few examples per operation, the stateful
phase (sequences of calls that follow the schema's links) with the office token only."""

import os
import pathlib
import subprocess
import sys

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db(transaction=True)

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent


@pytest.mark.parametrize("username, phases, examples", [
    ("office", "examples,fuzzing,stateful", "4"),  # the office may call every operation
    ("cwc_liaison", "examples,fuzzing", "3"),  # a department's view: 403s and 404s, its own drafts
])
def test_every_operation_matches_the_schema_and_never_fails(live_server, user, username, phases, examples, tmp_path):
    token, _ = Token.objects.get_or_create(user=user(username))
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"),
        "run", f"{live_server.url}/api/schema/",
        "--header", f"Authorization: Token {token.key}",
        "--checks", "all", "--phases", phases, "--max-examples", examples,
        "--request-timeout", "30", "--seed", "11", "--no-color",
        "--report-dir", str(tmp_path), "--max-failures", "50",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(command, capture_output=True, text=True, timeout=400, cwd=tmp_path, env=env)
    summary = run.stdout[-8000:]
    assert run.returncode == 0, summary
    tail = summary.split("SUMMARY")[-1]
    assert " passed" in tail and "Failures:" not in tail and "rule_only_rejections" not in summary, summary
