"""The API against its own OpenAPI schema: schemathesis generates requests for every operation
(valid and invalid, hostile strings included) with an office token and a liaison token against a
live server. Zero responses of 500 or more, and every response's status, content type and body as
the schema says. Bounded: a few examples per operation, a time limit for the whole run."""

import subprocess
import sys

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.mark.parametrize("username", ["office", "cwc_liaison"])
def test_every_operation_matches_the_schema_and_never_fails(live_server, user, username, tmp_path):
    token, _ = Token.objects.get_or_create(user=user(username))
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{live_server.url}/api/schema/",
        "--header", f"Authorization: Token {token.key}",
        "--checks", CHECKS, "--phases", "examples,fuzzing", "--max-examples", "8",
        "--request-timeout", "30", "--seed", "11", "--no-color",
        "--report-dir", str(tmp_path), "--max-failures", "50",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    summary = run.stdout[-6000:]
    assert run.returncode == 0, summary
    assert " passed" in summary and "failures" not in summary.split("SUMMARY")[-1], summary
