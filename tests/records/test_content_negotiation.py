"""Endpoints that serve a PDF or text honour Accept: application/pdf, text/plain and */* (CONTRACT.md)
— the very types they serve — and still answer errors in JSON."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from tests.records.test_views import _body
from tests.workflow.helpers import draft
from workflow import services


@pytest.mark.parametrize("accept", ["application/pdf", "*/*", "application/pdf, */*;q=0.8", None])
def test_the_record_honours_accept(client, published, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get(f"/api/disclosures/{published.pk}/record/", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert _body(response).startswith(b"%PDF-")


def test_a_missing_record_asked_for_as_pdf_is_a_404_in_json(client, demo):
    response = client.get("/api/disclosures/999999/record/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json") and "detail" in response.json()


@pytest.mark.parametrize("path", ["/api/audit/key/", "/api/audit/checkpoint/"])
@pytest.mark.parametrize("accept", ["text/plain", "*/*", "text/plain; charset=utf-8", None])
def test_the_audit_texts_honour_accept(client, user, path, accept):
    client.force_login(user("auditor"))
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get(path, **headers)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.strip()


def test_the_audit_texts_refuse_others_in_json_whatever_they_accept(client, user):
    client.force_login(user("cwc_liaison"))
    response = client.get("/api/audit/key/", HTTP_ACCEPT="text/plain")
    assert response.status_code == 403
    assert "detail" in response.json()


def test_head_answers_like_get_without_a_body_or_a_download_in_the_log(client, user, published, settings, tmp_path):
    """HEAD is allowed wherever GET is on the API's downloads (a client or a link checker asks for
    the size and hash first): the record's headers as GET gives them, no body, and — unlike a real
    download by a signed-in person — no record.download event."""
    client.force_login(user("office"))
    url = f"/api/disclosures/{published.pk}/record/"
    got = client.get(url)
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Type"] == "application/pdf" and _body(head) == b""
    assert (head["Content-Length"], head["X-Content-SHA256"]) == (got["Content-Length"], got["X-Content-SHA256"])
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()
    assert client.head("/api/disclosures/999999/record/").status_code == 404
    # The other downloads already answered HEAD: an attachment, the audit log's texts.
    settings.MEDIA_ROOT = str(tmp_path)
    item = draft(user, title="另一事项")
    attachment = services.add_attachment(item, actor=user("cwc_liaison"),
                                         uploaded_file=SimpleUploadedFile("预算表.pdf", b"%PDF-1.4\n%%EOF\n"))
    client.force_login(user("cwc_liaison"))
    assert client.head(f"/api/disclosures/{item.pk}/attachments/{attachment.pk}/").status_code == 200
    client.force_login(user("auditor"))
    for path in ("/api/audit/key/", "/api/audit/key/history/", "/api/audit/checkpoint/"):
        assert client.head(path).status_code == 200, path
