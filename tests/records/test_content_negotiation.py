"""Endpoints that serve a PDF or text honour Accept: application/pdf, text/plain and */* (CONTRACT.md)
— the very types they serve — and still answer errors in JSON."""

import pytest

from tests.records.test_views import _body


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
