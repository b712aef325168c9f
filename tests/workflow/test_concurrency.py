"""On PostgreSQL, two people acting on one item at the same moment: exactly one transition happens,
the other gets 409 (the services lock the item row; viewflow locks its process row)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from audit.models import AuditEvent
from policies.models import Department, Role
from policies.services import add_membership
from tests.workflow.helpers import draft, to_state
from workflow.models import DisclosureTask, Step


def race(calls):
    """Run the calls in threads released together; returns their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_heads_approve_the_same_item_at_once(user, django_user_model):
    second_head = django_user_model.objects.create(username="cwc_head2")
    add_membership(second_head, Department.objects.get(code="cwc"), Role.HEAD, actor=user("office"))
    item = to_state(user, draft(user), "head_review")
    events_before = AuditEvent.objects.count()

    def approve_as(username):
        client = APIClient()
        client.force_authenticate(django_user_model.objects.get(username=username))
        response = client.post(f"/api/disclosures/{item.pk}/approve/", {"comment": username}, format="json")
        return response.status_code

    for _round in range(3):
        statuses = race([lambda: approve_as("cwc_head"), lambda: approve_as("cwc_head2")])
        if sorted(statuses) != [200, 409]:
            break
        item.refresh_from_db()
        assert item.state == "confidentiality_review"
        assert Step.objects.filter(item=item, action="approve", version=item.version).count() == 1
        assert AuditEvent.objects.count() == events_before + 1
        open_tasks = DisclosureTask.objects.filter(process__artifact_object_id=item.pk, status="NEW")
        assert [t.flow_task.name for t in open_tasks] == ["confidentiality_review"]
        # Back to the head for the next round.
        client = APIClient()
        client.force_authenticate(user("cwc_reviewer"))
        assert client.post(f"/api/disclosures/{item.pk}/return/", {"comment": "再审"}, format="json").status_code == 200
        to_state(user, item, "head_review")
        events_before = AuditEvent.objects.count()
    assert sorted(statuses) == [200, 409]
