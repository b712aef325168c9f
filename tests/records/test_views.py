"""GET /api/disclosures/{id}/record/ and the public /verify/ page."""

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from records.models import Record
from tests.records.conftest import one_byte_changed, with_appended_revision
from tests.workflow.helpers import draft, to_state


def _upload(client, name, data, content_type="application/pdf"):
    return client.post("/verify/", {"file": SimpleUploadedFile(name, data, content_type=content_type)})


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the record download ----------------------------------------------------------------------


def test_anyone_downloads_the_record_of_a_published_item(client, published):
    record = Record.objects.get(item=published)
    response = client.get(f"/api/disclosures/{published.pk}/record/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = _body(response)
    assert hashlib.sha256(data).hexdigest() == record.sha256 == response["X-Content-SHA256"]
    assert f"{record.number}.pdf" in response["Content-Disposition"]


def test_no_record_before_publication(client, user):
    item = draft(user)
    to_state(user, item, "office_review")
    client.force_login(user("office"))  # even the office: there is nothing to serve yet
    assert client.get(f"/api/disclosures/{item.pk}/record/").status_code == 404
    assert client.get("/api/disclosures/999999/record/").status_code == 404


def test_a_refusal_record_is_only_for_those_who_see_the_item(client, user, django_capture_on_commit_callbacks):
    from workflow import services

    item = draft(user, title="不予公开的事项")
    to_state(user, item, "office_review")
    with django_capture_on_commit_callbacks(execute=True):
        services.refuse(item, actor=user("office"), ground="privacy", comment="含个人信息")
    url = f"/api/disclosures/{item.pk}/record/"
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(user("jwc_head"))  # another department: cannot tell it exists
    assert client.get(url).status_code == 404
    token = Token.objects.create(user=user("cwc_head"))
    client.logout()
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert hashlib.sha256(_body(response)).hexdigest() == Record.objects.get(item=item, kind="refusal").sha256
    # A signed-in person's download is in the audit trail.
    event = AuditEvent.objects.filter(action="record.download").latest("seq")
    assert event.actor_username == "cwc_head"


# --- /verify/ ---------------------------------------------------------------------------------


def test_the_verify_page_is_public_and_in_chinese(client, demo):
    response = client.get("/verify/")
    assert response.status_code == 200
    assert "核验记录" in response.content.decode()


def test_a_genuine_record_is_declared_authentic(client, published):
    record = Record.objects.get(item=published)
    page = _upload(client, "record.pdf", record.file_path.read_bytes()).content.decode()
    assert "真实有效" in page
    assert record.number in page and published.title in page
    assert "核验未通过" not in page


def test_a_changed_byte_is_declared_not_valid(client, published):
    data = one_byte_changed(Record.objects.get(item=published).file_path.read_bytes())
    page = _upload(client, "record.pdf", data).content.decode()
    assert "核验未通过" in page and "真实有效" not in page
    assert "不是本系统签发的记录" in page


def test_an_appended_revision_is_declared_not_valid(client, published):
    data = with_appended_revision(Record.objects.get(item=published).file_path.read_bytes())
    page = _upload(client, "record.pdf", data).content.decode()
    assert "核验未通过" in page
    assert "签名后又追加了内容" in page


def test_bad_uploads_get_a_clear_error(client, demo, settings):
    response = _upload(client, "notes.txt", "这不是PDF".encode(), "text/plain")
    assert response.status_code == 400 and "这不是 PDF 文件" in response.content.decode()
    response = client.post("/verify/", {})
    assert response.status_code == 400
    settings.RECORDS_VERIFY_MAX_BYTES = 1024
    response = _upload(client, "big.pdf", b"%PDF-1.7\n" + b"0" * 4096)
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    # A PDF-looking file that is garbage inside: a verdict, not a crash.
    settings.RECORDS_VERIFY_MAX_BYTES = 20 * 1024 * 1024
    response = _upload(client, "broken.pdf", b"%PDF-1.7\n%%garbage\n" * 50)
    assert response.status_code == 200
    assert "核验未通过" in response.content.decode()
