"""A member of the public checks a record on /verify/ in a real browser (Debian's Chromium)."""

import pytest

from records.models import Record
from tests.records.conftest import one_byte_changed

pytestmark = pytest.mark.browser


def test_someone_uploads_a_record_and_then_a_tampered_copy(page, published, tmp_path):
    record = Record.objects.get(item=published)
    page.goto("/verify/")
    assert "核验记录" in page.inner_text("main")
    page.set_input_files("input[type=file]", str(record.file_path))
    page.click("main button[type=submit]")
    verdict = page.inner_text("#verdict")
    assert "真实有效" in verdict and record.number in verdict and published.title in verdict

    tampered = tmp_path / "篡改.pdf"
    tampered.write_bytes(one_byte_changed(record.file_path.read_bytes()))
    page.set_input_files("input[type=file]", str(tampered))
    page.click("main button[type=submit]")
    verdict = page.inner_text("#verdict")
    assert "核验未通过" in verdict and "真实有效" not in verdict

    text_file = tmp_path / "说明.txt"
    text_file.write_text("不是PDF")
    page.set_input_files("input[type=file]", str(text_file))
    page.click("main button[type=submit]")
    assert "这不是 PDF 文件" in page.inner_text("#verify-error")
