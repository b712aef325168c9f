"""The whole life of an item through the HTTP API, as each role would drive it."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from workflow.models import DisclosureItem, ItemVersion, Notification
from workflow import queues, services
from tests.workflow.helpers import draft, entry, to_state


def create(api, **extra):
    body = {
        "catalogue_entry": entry("19").pk,
        "title": "2025年收支预算总表",
        "body": "<p>预算总表见附件。</p>",
        "produced_on": "2025-09-26",
        "channels": ["portal", "wechat"],
        **extra,
    }
    response = api("cwc_liaison").post("/api/disclosures/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def act(api, username, item_id, action, expect=200, **body):
    """POST an action; on success return the item as that user now sees it (GET)."""
    response = api(username).post(f"/api/disclosures/{item_id}/{action}/", body, format="json")
    assert response.status_code == expect, (username, action, response.json())
    if expect != 200:
        return response.json()
    result = response.json()
    assert {"id", "state", "version", "actions"} <= set(result)
    detail = api(username).get(f"/api/disclosures/{result['id']}/").json()
    assert (detail["state"], detail["actions"]) == (result["state"], result["actions"])
    return detail


def test_token_auth_and_catalogue(user):
    from io import StringIO

    out = StringIO()
    call_command("issue_token", "cwc_liaison", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip().splitlines()[-1]}")
    response = client.get("/api/catalogue/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 50
    assert {"id", "code", "category", "title", "department", "applicable"} <= set(rows[0])
    assert next(r for r in rows if r["code"] == "11")["applicable"] is False
    assert APIClient().get("/api/catalogue/").status_code in (401, 403)


def test_full_lifecycle_with_the_return_loop(api, user, workflow_commit):
    head = user("cwc_head")
    head.email = "cwc_head@example.edu.cn"
    head.save()
    with workflow_commit():
        created = create(api)
    assert created["state"] == "draft"
    # National Day 2025: 20 working days after 26 Sep (make-up 28 Sep and 11 Oct count) → 30 Oct.
    assert created["due_on"] == "2025-10-30" and created["deadline_provisional"] is False
    item_id = created["id"]
    detail = api("cwc_liaison").get(f"/api/disclosures/{item_id}/").json()
    assert detail["actions"] == ["edit", "submit", "discard"]

    with workflow_commit():
        assert act(api, "cwc_liaison", item_id, "submit")["state"] == "head_review"
    assert [m.to for m in mail.outbox] == [["cwc_head@example.edu.cn"]]
    assert [t["item"] for t in api("cwc_head").get("/api/tasks/").json()] == [item_id]
    assert Notification.objects.filter(user=user("cwc_head"), item_id=item_id, kind="task").exists()

    with workflow_commit():
        returned = act(api, "cwc_head", item_id, "return", comment="请补充预算说明")
    assert returned["state"] == "returned"
    assert Notification.objects.filter(user=user("cwc_liaison"), kind="returned").exists()
    patched = api("cwc_liaison").patch(
        f"/api/disclosures/{item_id}/", {"body": "<p>预算总表及说明见附件。</p>"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["body"] == "<p>预算总表及说明见附件。</p>"
    assert act(api, "cwc_liaison", item_id, "submit")["version"] == 2

    assert act(api, "cwc_head", item_id, "approve")["state"] == "confidentiality_review"
    assert act(api, "cwc_reviewer", item_id, "clear", comment="无涉密内容")["state"] == "office_review"
    with workflow_commit():
        assert act(api, "office", item_id, "publish", channels=["wechat", "oa"])["state"] == "publishing"
    published = api("office").get(f"/api/disclosures/{item_id}/").json()
    assert published["state"] == "published"
    assert published["channels"] == ["portal", "wechat", "oa"]
    assert published["actions"] == ["withdraw", "correct"]

    history = [(h["actor"], h["action"]) for h in published["history"]]
    assert history == [
        ("cwc_liaison", "create"), ("cwc_liaison", "submit"), ("cwc_head", "return"), ("cwc_liaison", "edit"),
        ("cwc_liaison", "submit"), ("cwc_head", "approve"), ("cwc_reviewer", "clear"), ("office", "publish"),
        ("system", "published"),
    ]
    assert published["history"][2]["comment"] == "请补充预算说明"
    assert [v["number"] for v in published["versions"]] == [1, 2]
    versions = ItemVersion.objects.filter(item_id=item_id).order_by("number")
    assert versions[0].sha256 != versions[1].sha256


def test_refusal_records_the_ground(api):
    item_id = create(api)["id"]
    act(api, "cwc_liaison", item_id, "submit")
    act(api, "cwc_head", item_id, "approve")
    errors = act(api, "cwc_reviewer", item_id, "refuse", expect=400, ground="because", comment="")
    assert set(errors) == {"ground", "comment"}
    refused = act(api, "cwc_reviewer", item_id, "refuse", ground="privacy", comment="含学生个人信息")
    assert refused["state"] == "refused" and refused["refusal_ground"] == "privacy"
    assert refused["actions"] == []
    act(api, "office", item_id, "publish", expect=409)


def test_major_item_touching_secrets_goes_to_the_secrecy_office_and_leading_group(api):
    item_id = create(api, is_major=True, touches_state_secret=True)["id"]
    act(api, "cwc_liaison", item_id, "submit")
    act(api, "cwc_head", item_id, "approve")
    assert act(api, "cwc_reviewer", item_id, "clear")["state"] == "secrecy_review"
    act(api, "office", item_id, "publish", expect=409)
    assert act(api, "secrecy", item_id, "clear")["state"] == "leader_review"
    assert act(api, "leader", item_id, "approve")["state"] == "office_review"


def test_policy_document_needs_its_interpretation_before_publication(api):
    item_id = create(api, is_policy_document=True)["id"]
    act(api, "cwc_liaison", item_id, "submit")
    act(api, "cwc_head", item_id, "approve")
    act(api, "cwc_reviewer", item_id, "clear")
    errors = act(api, "office", item_id, "publish", expect=400)
    assert "non_field_errors" in errors
    act(api, "office", item_id, "return", comment="请关联政策解读")
    api("cwc_liaison").patch(
        f"/api/disclosures/{item_id}/", {"interpretation_url": "https://www.example.edu.cn/jd/1"}, format="json"
    )
    act(api, "cwc_liaison", item_id, "submit")
    act(api, "cwc_head", item_id, "approve")
    act(api, "cwc_reviewer", item_id, "clear")
    assert act(api, "office", item_id, "publish")["state"] == "publishing"


def test_scheduled_publication_waits_for_its_time(api, workflow_commit, time_machine):
    now = timezone.now()
    item_id = create(api)["id"]
    act(api, "cwc_liaison", item_id, "submit")
    act(api, "cwc_head", item_id, "approve")
    act(api, "cwc_reviewer", item_id, "clear")
    at = (now + datetime.timedelta(hours=2)).isoformat()
    with workflow_commit():
        scheduled = act(api, "office", item_id, "publish", publish_at=at)
        queues.scan_due()
    assert scheduled["state"] == "publishing" and scheduled["publish_at"]
    assert DisclosureItem.objects.get(pk=item_id).state == "publishing"
    time_machine.move_to(now + datetime.timedelta(hours=2, minutes=1))
    with workflow_commit():
        assert queues.scan_due()["published"] == 1
    item = DisclosureItem.objects.get(pk=item_id)
    assert item.state == "published" and item.published_at >= now + datetime.timedelta(hours=2)
    # The job is idempotent: a second run changes nothing.
    events = AuditEvent.objects.count()
    assert services.complete_publication(item_id) is False
    assert AuditEvent.objects.count() == events


def test_withdrawal_and_correction(api, workflow_commit):
    item_id = create(api)["id"]
    act(api, "cwc_liaison", item_id, "submit")
    act(api, "cwc_head", item_id, "approve")
    act(api, "cwc_reviewer", item_id, "clear")
    with workflow_commit():
        act(api, "office", item_id, "publish")

    correction = act(api, "office", item_id, "correct", comment="预算数字有误")
    assert correction["id"] != item_id and correction["state"] == "draft" and correction["supersedes"] == item_id
    act(api, "office", item_id, "correct", expect=409)  # one correction at a time
    api("cwc_liaison").patch(f"/api/disclosures/{correction['id']}/", {"title": "2025年收支预算总表（更正）"}, format="json")
    act(api, "cwc_liaison", correction["id"], "submit")
    act(api, "cwc_head", correction["id"], "approve")
    act(api, "cwc_reviewer", correction["id"], "clear")
    with workflow_commit():
        act(api, "office", correction["id"], "publish")
    assert api("office").get(f"/api/disclosures/{correction['id']}/").json()["state"] == "published"
    original = api("office").get(f"/api/disclosures/{item_id}/").json()
    assert original["state"] == "superseded" and original["corrections"] == [correction["id"]]
    assert [h["action"] for h in original["history"]][-2:] == ["correct", "superseded"]

    act(api, "office", correction["id"], "withdraw", expect=400)
    withdrawn = act(api, "office", correction["id"], "withdraw", comment="信息已过期")
    assert withdrawn["state"] == "withdrawn" and withdrawn["withdrawn_reason"] == "信息已过期"
    assert withdrawn["history"][-1]["action"] == "withdraw"


def test_lists_filters_and_visibility(api):
    item_id = create(api)["id"]
    rows = api("cwc_head").get("/api/disclosures/?state=draft").json()["results"]
    assert [r["id"] for r in rows] == [item_id]
    assert api("cwc_head").get("/api/disclosures/?state=published").json()["results"] == []
    assert api("office").get("/api/disclosures/?department=cwc").json()["count"] == 1
    assert api("office").get("/api/disclosures/?department=jwc").json()["count"] == 0
    assert api("jwc_head").get("/api/disclosures/").json()["count"] == 0
    assert api("jwc_head").get(f"/api/disclosures/{item_id}/").status_code == 404
    assert api("auditor").get(f"/api/disclosures/{item_id}/").json()["actions"] == []
    assert api("cwc_head").get("/api/disclosures/?state=nonsense").status_code == 400


def test_openapi_schema_documents_the_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/catalogue/", "/api/disclosures/", "/api/disclosures/{id}/", "/api/tasks/"):
        assert path in text


def test_deadlines_shown_through_the_api_across_spring_festival_and_into_2027(api, time_machine):
    # Spring Festival 2026 (15–23 Feb off; Sat 14 and Sat 28 Feb are working days).
    spring = create(api, produced_on="2026-02-10")
    assert (spring["due_on"], spring["deadline_provisional"]) == ("2026-03-16", False)
    # 2027 is not in the calendar yet: Monday–Friday, marked provisional.
    time_machine.move_to(datetime.datetime(2027, 3, 2, 9, tzinfo=datetime.timezone.utc))
    later = create(api, produced_on="2027-03-01")
    assert (later["due_on"], later["deadline_provisional"]) == ("2027-03-29", True)
    detail = api("cwc_liaison").get(f"/api/disclosures/{later['id']}/").json()
    assert detail["deadline_provisional"] is True


def test_publication_issues_the_signed_record(api, django_capture_on_commit_callbacks, settings, tmp_path):
    """The whole chain, other apps included: the publication job and the signed PDF record."""
    settings.RECORDS_DIR = tmp_path
    item_id = create(api)["id"]
    act(api, "cwc_liaison", item_id, "submit")
    act(api, "cwc_head", item_id, "approve")
    act(api, "cwc_reviewer", item_id, "clear")
    with django_capture_on_commit_callbacks(execute=True):
        act(api, "office", item_id, "publish")
    assert api("office").get(f"/api/disclosures/{item_id}/").json()["state"] == "published"
    response = api("office").get(f"/api/disclosures/{item_id}/record/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")


def test_the_history_names_the_system_in_the_callers_language(api, user):
    """The publication job's step has no person: its name is 系统 in Chinese, "system" in English
    (the code in `actor` stays "system" whatever the language)."""
    item = to_state(user, draft(user), "published")
    office = api("office")
    [chinese] = [h for h in office.get(f"/api/disclosures/{item.pk}/").json()["history"] if h["action"] == "published"]
    assert (chinese["actor"], chinese["actor_name"]) == ("system", "系统")
    english = office.get(f"/api/disclosures/{item.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["history"]
    assert [(h["actor"], h["actor_name"]) for h in english if h["action"] == "published"] == [("system", "system")]
