"""Each action appends exactly one audit event, with the right actor, action and object."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from tests.workflow.helpers import draft, to_state
from workflow import services


def one_event(action_call):
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    result = action_call()
    events = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq"))
    assert len(events) == 1, [e.action for e in events]
    return events[0], result


@pytest.mark.parametrize(
    "state, actor, action, call, extra",
    [
        ("draft", "cwc_liaison", "disclosure.edit", lambda i, u: services.edit_item(i, actor=u, title="新标题"), {}),
        ("draft", "cwc_liaison", "disclosure.submit", lambda i, u: services.submit(i, actor=u), {}),
        ("head_review", "cwc_head", "disclosure.approve", lambda i, u: services.approve(i, actor=u), {}),
        ("head_review", "cwc_head", "disclosure.return", lambda i, u: services.return_item(i, actor=u, comment="改"), {"comment": "改"}),
        ("confidentiality_review", "cwc_reviewer", "disclosure.clear", lambda i, u: services.clear(i, actor=u), {}),
        ("confidentiality_review", "cwc_reviewer", "disclosure.clear_with_redactions",
         lambda i, u: services.clear_with_redactions(i, actor=u, comment="删去姓名"), {"comment": "删去姓名"}),
        ("confidentiality_review", "cwc_reviewer", "disclosure.refuse",
         lambda i, u: services.refuse(i, actor=u, ground="privacy", comment="隐私"), {"ground": "privacy"}),
        ("office_review", "office", "disclosure.publish", lambda i, u: services.publish(i, actor=u), {}),
        ("published", "office", "disclosure.withdraw", lambda i, u: services.withdraw(i, actor=u, comment="过期"), {}),
    ],
)
def test_each_action_is_one_event(user, state, actor, action, call, extra):
    import json

    item = to_state(user, draft(user), state)
    event, _ = one_event(lambda: call(item, user(actor)))
    assert (event.action, event.actor_username, event.object_type, event.object_id, event.department) == (
        action, actor, "workflow.disclosureitem", str(item.pk), "cwc"
    )
    document = json.loads(event.canonical)
    for key, value in extra.items():
        assert document["data"][key] == value


def test_create_attach_correct_and_publication_job_events(user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event, item = one_event(lambda: draft(user))
    assert (event.action, event.actor_username, event.object_id) == ("disclosure.create", "cwc_liaison", str(item.pk))
    event, _ = one_event(lambda: services.add_attachment(
        item, actor=user("cwc_liaison"), uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF")))
    assert event.action == "disclosure.attach"
    item = to_state(user, item, "publishing")
    event, _ = one_event(lambda: services.complete_publication(item.pk))
    assert (event.action, event.actor_username) == ("disclosure.published", "system")
    event, correction = one_event(lambda: services.correct(item, actor=user("office")))
    assert (event.action, event.actor_username, event.object_id) == ("disclosure.correct", "office", str(correction.pk))
    # The correction starts with the original's files (the same stored content).
    [copy] = correction.attachments.all()
    [original] = item.attachments.all()
    assert (copy.sha256, copy.file.name, copy.original_name) == (original.sha256, original.file.name, "a.pdf")


def test_a_refused_action_leaves_no_event(user):
    from django.core.exceptions import PermissionDenied

    item = to_state(user, draft(user), "head_review")
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.approve(item, actor=user("cwc_reviewer"))
    assert AuditEvent.objects.count() == before
