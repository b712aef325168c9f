"""A transition through the API asks the database a bounded number of questions: a regression
guard for the per-request work (permissions read once, no read-backs of what was just written).
The bench (bench/workflow_transitions.py) measures the time; this only counts statements."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from workflow import services
from workflow.flows import DisclosureFlow
from tests.workflow.helpers import draft, to_state

# One approval by token: auth, the item, the user's permissions, then in one transaction the
# locked item, its history, the update, the step, the audit append and viewflow's task rows
# (complete the head's task, run the route switch, open the reviewer's). Measured 27 on SQLite and
# on PostgreSQL (2026-11-26; 32 before the permission read became one query and the route switch
# and the action list stopped reading back what the request already knew).
MAX_STATEMENTS = 28


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_an_approval_stays_within_its_statement_budget(user):
    item = to_state(user, draft(user), "head_review")
    events = AuditEvent.objects.count()
    client = token_client(user("cwc_head"))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/api/disclosures/{item.pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "confidentiality_review"
    assert response.json()["actions"] == []  # the head may do nothing more with it
    assert AuditEvent.objects.count() == events + 1
    assert services.open_task(item).flow_task == DisclosureFlow.confidentiality_review  # the reviewer's turn
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
    permission_reads = [s for s in statements if "auth_permission" in s]
    assert len(permission_reads) == 1, permission_reads
