"""Records, feeds and downloads never fail on text that got into the database, whatever it holds.

The input policy refuses control characters at the boundary; these rows get them another way (an
older row, an import, a direct database edit), as an operator found: a title with BEL or ESC made
pyHanko's XMP step fail, left the item public without a record, broke /feed/ for everyone and made
withdrawal answer 500 after committing."""

import io

import pytest
from django.core.cache import cache as django_cache
from django.core.management import call_command

from audit.models import AuditEvent
from core.safe_text import for_filename, for_xml
from records.models import Record
from records.rendering import render_pdf
from records.signing import sign_pdf
from tests.records.conftest import pdf_text, sample_content
from tests.workflow.helpers import draft, to_state
from workflow import services
from workflow.models import DisclosureItem

ODD = "预算\x07公示\x1b[31m\x00\x0b\ufffe\uffff\x7f\x85\u202e\u200b😀\t结束"
# What a database row can hold: PostgreSQL text refuses NUL outright, so rows never carry it.
ODD_ROW = ODD.replace("\x00", "")


def test_every_text_field_of_a_record_may_hold_odd_characters(tmp_path):
    content = sample_content(
        title=ODD,
        record_no="GK-000042-V1-P",
        metadata=[(ODD, ODD)],
        body_html=f"<p>{ODD}</p>",
        approvals=[{"step": ODD, "role": ODD, "person": ODD, "time": ODD, "decision": ODD, "comment": ODD}],
        decision=[(ODD, ODD)],
        proof={"format": "gongkai-record/1", "title": ODD},
    )
    unsigned, _fetcher = render_pdf(content)
    signed, _fingerprint = sign_pdf(unsigned, reason=ODD)
    path = tmp_path / "odd.pdf"
    path.write_bytes(signed)
    assert "预算公示" in pdf_text(path)


def test_an_item_with_control_characters_gets_its_record_its_feed_entry_and_can_be_withdrawn(
    user, client, records_dir, django_capture_on_commit_callbacks
):
    item = draft(user, title="收支预算总表", body="<p>正文</p>")
    # What the boundary refuses arrives through the database (an older row, an import).
    DisclosureItem.objects.filter(pk=item.pk).update(title=f"2025年{ODD_ROW}收支预算总表", body=f"<p>{ODD_ROW}</p>")
    with django_capture_on_commit_callbacks(execute=True):
        to_state(user, item, "published")
    item.refresh_from_db()
    assert item.state == "published"
    record = Record.objects.get(item=item, kind="publication")
    assert AuditEvent.objects.filter(action="record.issue", object_id=str(record.pk)).count() == 1
    assert record.file_path.exists()
    assert "预算公示" in pdf_text(record.file_path)

    django_cache.clear()
    response = client.get("/feed/")
    assert response.status_code == 200
    assert "收支预算总表" in response.content.decode()
    assert "\x07" not in response.content.decode()
    assert client.get(f"/items/{item.pk}/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(item, actor=user("office"), comment="标题有误，撤回")
    item.refresh_from_db()
    assert item.state == "withdrawn"
    assert Record.objects.filter(item=item, kind="withdrawal").count() == 1
    django_cache.clear()
    assert client.get("/feed/").status_code == 200


@pytest.mark.parametrize(
    "name, expected",
    [
        ("报告\x07.pdf", "报告.pdf"),
        ("a\nb\r.pdf", "ab.pdf"),
        ("../../etc/passwd", "etcpasswd"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ('say "hi".txt', "say hi.txt"),
        ("\x00\x01", "file"),
    ],
)
def test_download_names_are_safe(name, expected):
    assert for_filename(name) == expected


def test_xml_text_keeps_everything_xml_can_carry():
    assert for_xml("正文\t\n\r😀 \u200b end") == "正文\t\n\r😀 \u200b end"
    assert for_xml("a\x07\x1b\x00\ufffe\x85b") == "ab"


def test_the_register_exports_odd_titles(user, tmp_path, django_capture_on_commit_callbacks):
    item = draft(user, title="收支预算总表")
    DisclosureItem.objects.filter(pk=item.pk).update(title=f"收支{ODD_ROW}预算")
    with django_capture_on_commit_callbacks(execute=True):
        to_state(user, item, "published")
    out = tmp_path / "register.xlsx"
    call_command("register_export", "--from", "2025-01-01", "--to", "2030-12-31", "--xlsx", str(out),
                 stdout=io.StringIO())
    assert out.stat().st_size > 0
