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
    assert page.inner_text("#verdict-box .verdict-mark") == "✓" and "verdict-ok" in page.get_attribute("#verdict-box", "class")
    assert "Common Name" not in verdict and "树大小" not in verdict

    tampered = tmp_path / "篡改.pdf"
    tampered.write_bytes(one_byte_changed(record.file_path.read_bytes()))
    page.set_input_files("input[type=file]", str(tampered))
    page.click("main button[type=submit]")
    verdict = page.inner_text("#verdict")
    assert "核验未通过" in verdict and "真实有效" not in verdict
    assert page.inner_text("#verdict-box .verdict-mark") == "✗" and "verdict-bad" in page.get_attribute("#verdict-box", "class")
    assert "审计事件已纳入签名检查点" not in verdict  # no reassuring line under a failed verdict
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone

    text_file = tmp_path / "说明.txt"
    text_file.write_text("不是PDF")
    page.set_input_files("input[type=file]", str(text_file))
    page.click("main button[type=submit]")
    assert "这不是 PDF 文件" in page.inner_text("#verify-error")
