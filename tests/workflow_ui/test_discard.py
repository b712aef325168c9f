"""A draft nobody will submit (a duplicate, a mistake) is discarded by its department's liaison, with
a reason and a confirmation: it leaves every inbox and every reminder, stays in the list and the
history, and never reaches the public site."""

import datetime

from audit.models import AuditEvent
from tests.workflow.helpers import draft, to_state
from tests.workflow_ui.test_forms_and_confirmations import as_user, confirm_form, item_url, shown  # noqa: F401
from workflow import queues, services
from workflow.models import DisclosureItem, Notification

D = datetime.date


def test_a_liaison_discards_a_returned_duplicate_after_a_confirmation_and_nobody_is_reminded_of_it(as_user, user):
    item = to_state(user, draft(user, title="重复录入的预算表"), "head_review")
    services.return_item(item, actor=user("cwc_head"), comment="与已提交的事项重复")
    client = as_user("cwc_liaison")
    page = shown(client.get(item_url(item)))
    assert "作废草稿" in page and "作废原因（必填）" in page

    response = client.post(item_url(item, "discard/"), {"discard-comment": "重复录入"})
    page = shown(response)
    assert "确认作废草稿" in page and "从所有人的待办中移除" in page and "作废后无法恢复" in page and "重复录入" in page
    item.refresh_from_db()
    assert item.state == "returned"  # nothing happens before the confirmation

    page = shown(client.post(item_url(item, "discard/"), confirm_form(response), follow=True))
    item.refresh_from_db()
    assert item.state == "discarded" and "已作废" in page and "重复录入" in page
    assert "作废草稿" in page and "discard" not in page  # the history names the step
    assert AuditEvent.objects.filter(action="disclosure.discard", object_id=str(item.pk)).exists()
    assert item.title not in shown(client.get("/workflow/"))  # gone from the liaison's inbox
    assert item.title in shown(client.get("/workflow/items/"))  # still listed, as discarded

    queues.scan_due(today=item.due_on + datetime.timedelta(days=30))  # long past its deadline
    assert not Notification.objects.filter(kind__in=["overdue", "due_soon"]).exists()
    assert not DisclosureItem.objects.public().filter(pk=item.pk).exists()


def test_a_discard_needs_a_reason_and_loses_nothing_without_one(as_user, user):
    item = draft(user)
    client = as_user("cwc_liaison")
    response = client.post(item_url(item, "discard/"), {"discard-comment": "  "})
    assert response.status_code == 400 and "确认" not in shown(response)
    item.refresh_from_db()
    assert item.state == "draft"


def test_only_the_departments_drafters_may_discard_and_only_a_draft(user):
    from rest_framework.test import APIClient

    def api(username):
        client = APIClient()
        client.force_authenticate(user(username))
        return client

    item = draft(user)
    assert api("cwc_head").post(f"/api/disclosures/{item.pk}/discard/", {"comment": "不要了"}, format="json").status_code == 403
    assert api("jwc_liaison").post(f"/api/disclosures/{item.pk}/discard/", {"comment": "不要了"}, format="json").status_code == 404
    assert "discard" in api("cwc_liaison").get(f"/api/disclosures/{item.pk}/").json()["actions"]

    submitted = to_state(user, draft(user, title="已提交的事项"), "head_review")
    answer = api("cwc_liaison").post(f"/api/disclosures/{submitted.pk}/discard/", {"comment": "不要了"}, format="json")
    assert answer.status_code == 409
    submitted.refresh_from_db()
    assert submitted.state == "head_review"

    answer = api("cwc_liaison").post(f"/api/disclosures/{item.pk}/discard/", {"comment": "不要了"}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "discarded"
    assert api("cwc_liaison").get(f"/api/disclosures/{item.pk}/").json()["actions"] == []


def test_a_discarded_correction_leaves_the_way_open_for_another(user):
    published = to_state(user, draft(user), "published")
    correction = services.correct(published, actor=user("cwc_liaison"), title="更正后的标题")
    services.perform(correction, "discard", actor=user("cwc_liaison"), comment="改错了")
    published.refresh_from_db()
    assert published.state == "published"  # the original stays in force
    again = services.correct(published, actor=user("cwc_liaison"), title="再次更正")
    assert again.state == "draft" and again.supersedes_id == published.pk
