"""Bad input gets a clear 400 naming the field, and nothing is stored half-way."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from audit.models import AuditEvent
from tests.workflow.helpers import draft, entry
from workflow.models import Attachment, DisclosureItem, DisclosureProcess, Step

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def counts():
    return (DisclosureItem.objects.count(), Step.objects.count(), AuditEvent.objects.count(),
            DisclosureProcess.objects.count(), Attachment.objects.count())


def valid(**changes):
    body = {"catalogue_entry": entry("19").pk, "title": "收支预算总表", "body": "<p>内容</p>",
            "produced_on": "2025-09-26", "channels": ["portal"]}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": None}, "title"),
        ({"title": "   "}, "title"),
        ({"produced_on": None}, "produced_on"),
        ({"produced_on": "26/09/2025"}, "produced_on"),
        ({"produced_on": "2999-01-01"}, "produced_on"),
        ({"produced_on": "0001-01-01"}, "produced_on"),  # a mistyped year: overdue and escalated at once
        ({"produced_on": "1899-12-31"}, "produced_on"),
        ({"catalogue_entry": None}, "catalogue_entry"),
        ({"catalogue_entry": 999999}, "catalogue_entry"),
        ({"catalogue_entry": "not-a-number"}, "catalogue_entry"),
        ({"channels": ["portal", "telegram"]}, "channels"),
        ({"channels": "portal"}, None),  # a single code is fine
        ({"body": "<p>见下</p><script>alert(1)</script>"}, "body"),
        ({"body": '<img src=x onerror="alert(1)">'}, "body"),
        ({"body": '<a href="javascript:alert(1)">x</a>'}, "body"),
        ({"is_major": "perhaps"}, "is_major"),
        ({"colour": "red"}, "non_field_errors"),
    ],
)
def test_bad_fields_on_create_are_400_and_store_nothing(api, changes, field):
    before = counts()
    response = api("cwc_liaison").post("/api/disclosures/", valid(**changes), format="json")
    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert all(isinstance(m, str) and m for m in response.json()[field])
    assert counts() == before


def test_a_not_applicable_entry_cannot_be_used(api):
    response = api("zsb_liaison").post("/api/disclosures/", valid(catalogue_entry=entry("12").pk), format="json")
    assert response.status_code == 400 and "catalogue_entry" in response.json()


def test_harmless_markup_is_kept_and_unknown_markup_dropped(api):
    body = '<p>预算<strong>总表</strong></p><table><tr><td colspan="2">1</td></tr></table><font color="red">x</font>'
    response = api("cwc_liaison").post("/api/disclosures/", valid(body=body), format="json")
    assert response.status_code == 201
    assert response.json()["body"] == '<p>预算<strong>总表</strong></p><table><tbody><tr><td colspan="2">1</td></tr></tbody></table>x'


def test_bad_patch_and_actions_change_nothing(api, user):
    item = draft(user)
    before = counts()
    response = api("cwc_liaison").patch(f"/api/disclosures/{item.pk}/", {"title": "", "body": "<script>x</script>"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"title", "body"}
    response = api("cwc_liaison").patch(f"/api/disclosures/{item.pk}/", {"state": "published"}, format="json")
    assert response.status_code == 400
    assert counts() == before
    item.refresh_from_db()
    assert item.title == "2025年收支预算总表" and item.state == "draft"


def test_submitting_an_empty_body_is_refused(api, user):
    item = draft(user, body="")
    response = api("cwc_liaison").post(f"/api/disclosures/{item.pk}/submit/")
    assert response.status_code == 400 and "body" in response.json()
    item.refresh_from_db()
    assert item.state == "draft" and item.version == 0 and not item.versions.exists()


def upload(api, item, name, content, username="cwc_liaison"):
    return api(username).post(
        f"/api/disclosures/{item.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def test_attachments_are_typed_by_content_hashed_and_downloadable(api, user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = draft(user)
    response = upload(api, item, "预算表.pdf", PDF)
    assert response.status_code == 201, response.json()
    data = response.json()
    import hashlib

    assert data["content_type"] == "application/pdf" and data["sha256"] == hashlib.sha256(PDF).hexdigest()
    stored = Attachment.objects.get(pk=data["id"])
    assert stored.file.path.startswith(str(tmp_path)) and not stored.file.name.endswith(".pdf")
    download = api("cwc_head").get(data["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert api("jwc_head").get(data["url"]).status_code == 404
    assert upload(api, item, "x.pdf", PDF, username="cwc_head").status_code == 403


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", PNG, "content"),  # a PNG calling itself PDF
        ("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "not accepted"),  # a Windows program
        ("notes.txt", b"<html><script>alert(1)</script></html>", "not accepted"),
        ("picture.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "not accepted"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_disguised_or_empty_files_are_refused(api, user, settings, tmp_path, name, content, message):
    settings.MEDIA_ROOT = tmp_path
    item = draft(user)
    before = counts()
    response = upload(api, item, name, content)
    assert response.status_code == 400
    assert list(response.json()) == ["file"] and response.json()["file"][0]
    assert counts() == before
    assert not any(tmp_path.rglob("*.*")) and not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_oversized_files_are_refused(api, user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_BYTES = 1024
    item = draft(user)
    before = counts()
    response = upload(api, item, "big.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400 and "1024" in response.json()["file"][0]
    assert counts() == before
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59Z", "2999-01-01T09:00:00+08:00"])
def test_a_publication_scheduled_years_ahead_is_refused_and_the_item_stays_readable(api, user, when):
    """Nothing undoes a scheduled publication: a mistyped year must be refused, not stored (a time
    near year 9999 could not even be shown in local time: the item's page failed for good)."""
    from tests.workflow.helpers import to_state

    item = to_state(user, draft(user), "office_review")
    office = api("office")
    response = office.post(f"/api/disclosures/{item.pk}/publish/", {"publish_at": when}, format="json")
    assert response.status_code == 400 and "一年之内" in response.json()["publish_at"][0]
    item.refresh_from_db()
    assert item.state == "office_review" and item.publish_at is None
    assert office.get(f"/api/disclosures/{item.pk}/").status_code == 200
    client = Client()
    client.force_login(user("office"))
    assert client.get(f"/workflow/items/{item.pk}/").status_code == 200
    # The same on the item page, before any confirmation; a time within the year is taken.
    page = client.post(f"/workflow/items/{item.pk}/publish/", {"publish-publish_at": "2999-01-01T09:00"})
    assert page.status_code == 400 and "定时发布最多只能安排在一年之内" in page.content.decode()
    soon = (timezone.localtime() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/workflow/items/{item.pk}/publish/", {"publish-publish_at": soon}).status_code == 200


def test_a_body_that_is_not_an_object_is_refused_in_the_callers_language(api):
    """A JSON list or string instead of an object: one clear 400, in Chinese by default and in
    English when asked for, and nothing stored."""
    before = counts()
    client = api("cwc_liaison")
    response = client.post("/api/disclosures/", [valid()], format="json")
    assert response.status_code == 400 and response.json()["non_field_errors"] == ["请发送一个 JSON 对象。"]
    response = client.post("/api/disclosures/", "收支预算总表", format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json()["non_field_errors"] == ["Send a JSON object."]
    assert counts() == before
