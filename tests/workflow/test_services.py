import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from viewflow.workflow.status import STATUS

from audit.models import AuditEvent
from tests.workflow.helpers import draft, to_state
from workflow import services
from core.exceptions import StateConflict
from workflow.models import DisclosureTask, ItemVersion, State, Step


def test_happy_path_through_the_services_moves_viewflow_along(user):
    item = draft(user)
    assert item.state == State.DRAFT
    assert services.open_task(item).flow_task.name == "revise"
    item = to_state(user, item, "office_review")
    assert services.open_task(item).flow_task.name == "office_review"
    item = to_state(user, item, "published")
    assert item.published_at is not None and item.channels == ["portal", "wechat"]
    assert services.open_task(item) is None
    process = services.process_of(item)
    assert process.status == "DONE"
    names = list(DisclosureTask.objects.filter(process=process).order_by("pk").values_list("flow_task", flat=True))
    assert len(names) >= 8
    assert [s.action for s in item.steps.all()] == ["create", "submit", "approve", "clear", "publish", "published"]
    assert ItemVersion.objects.get(item=item).number == 1


def test_the_office_cannot_skip_review_and_heads_only_act_for_their_department(user):
    item = draft(user)
    services.submit(item, actor=user("cwc_liaison"))
    with pytest.raises(StateConflict):
        services.publish(item, actor=user("office"))
    with pytest.raises(PermissionDenied):
        services.approve(item, actor=user("jwc_head"))
    with pytest.raises(ValidationError):
        services.return_item(item, actor=user("cwc_head"), comment="  ")
    services.return_item(item, actor=user("cwc_head"), comment="请补充附件")
    item.refresh_from_db()
    assert item.state == State.RETURNED
    assert services.open_task(item).flow_task.name == "revise"


def test_one_audit_event_per_action(user):
    item = draft(user)
    before = AuditEvent.objects.count()
    services.submit(item, actor=user("cwc_liaison"))
    events = list(AuditEvent.objects.filter(seq__gt=0).order_by("-seq")[: AuditEvent.objects.count() - before])
    assert [(e.action, e.actor_username, e.object_id) for e in events] == [
        ("disclosure.submit", "cwc_liaison", str(item.pk))
    ]


def test_history_survives_the_deletion_of_viewflows_process(user, api):
    item = to_state(user, draft(user), "office_review")
    before = api("office").get(f"/api/disclosures/{item.pk}/").json()["history"]
    services.process_of(item).delete()  # viewflow's rows are editable and deletable: not the record
    after = api("office").get(f"/api/disclosures/{item.pk}/").json()
    assert after["history"] == before and len(before) == 4
    # The flow is restarted where the item stands when it moves again.
    services.publish(item, actor=user("office"))
    item.refresh_from_db()
    assert item.state == State.PUBLISHING
