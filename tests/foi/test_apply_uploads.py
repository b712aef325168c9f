"""/apply/ keeps a visitor's good files across a validation error (core.uploads, tied to the
browser's session): shown as "已上传：…", attached once on success, then deleted; a bad file is named
and not kept; a token from another session or a forged one fetches nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core import uploads
from foi.models import InformationRequest
from tests.foi.conftest import application

PDF = b"%PDF-1.4\n%%EOF\n"


def _page(response):
    return response.content.decode()


def _tokens(response):
    return re.findall(r'name="held" value="([^"]+)"', _page(response))


@pytest.fixture
def browser(demo):
    return Client(REMOTE_ADDR="10.0.0.21")


def test_a_file_is_kept_across_an_error_and_attached_once(browser, settings):
    response = browser.post("/apply/", {**application(description=""), "attachments": [SimpleUploadedFile("身份证.pdf", PDF)]})
    assert response.status_code == 400 and "已上传：身份证.pdf" in _page(response)
    assert not InformationRequest.objects.exists()

    (token,) = _tokens(response)
    response = browser.post("/apply/", {**application(), "held": [token, token]})  # no file chosen again
    assert response.status_code == 302
    attachment = InformationRequest.objects.get().attachments.get()
    assert attachment.original_name == "身份证.pdf" and attachment.file.read() == PDF
    assert not any((settings.MEDIA_ROOT / "held").iterdir())  # the held copy is gone once saved


def test_a_bad_file_is_named_and_not_kept_while_the_good_one_is(browser):
    response = browser.post("/apply/", {**application(), "attachments": [
        SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf"), SimpleUploadedFile("说明.txt", "说明".encode())]})
    page = _page(response)
    assert response.status_code == 400 and "证明.pdf：" in page
    assert "已上传：说明.txt" in page and "已上传：证明.pdf" not in page
    assert not InformationRequest.objects.exists()
    response = browser.post("/apply/", {**application(), "held": _tokens(response)})
    assert list(InformationRequest.objects.get().attachments.values_list("original_name", flat=True)) == ["说明.txt"]


def test_an_unticked_kept_file_is_left_out(browser):
    response = browser.post("/apply/", {**application(description=""), "attachments": [SimpleUploadedFile("旧.pdf", PDF)]})
    assert "已上传：旧.pdf" in _page(response)
    browser.post("/apply/", {**application(), "attachments": [SimpleUploadedFile("新.pdf", PDF + b"%new")]})
    assert list(InformationRequest.objects.get().attachments.values_list("original_name", flat=True)) == ["新.pdf"]


def test_a_token_from_another_session_or_forged_fetches_nothing(browser, user):
    other = Client(REMOTE_ADDR="10.0.0.22")
    response = other.post("/apply/", {**application(description=""), "attachments": [SimpleUploadedFile("别人的.pdf", PDF)]})
    (foreign,) = _tokens(response)
    staff = uploads.hold(SimpleUploadedFile("职员的.pdf", PDF), user("cwc_liaison"))
    response = browser.post("/apply/", {**application(), "held": [foreign, foreign[:-3] + "abc", staff, "../../secret_key"]})
    assert response.status_code == 302
    assert not InformationRequest.objects.get().attachments.exists()
    # The other visitor still has theirs.
    other.post("/apply/", {**application(), "held": [foreign]})
    assert InformationRequest.objects.filter(attachments__original_name="别人的.pdf").count() == 1
