import io
import subprocess

import pytest
from django.core.management import call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.workflow.helpers import draft, to_state

from records.rendering import RecordContent

TITLE = "关于2026年度国家助学金评审结果的公示"
APPROVERS = ["张晓明", "李红梅", "王建国"]


def sample_content(body="<p>根据《高等学校信息公开办法》，现将2026年度国家助学金评审结果予以公示。</p>", pages=1, **overrides):
    paragraph = "<p>" + "学校严格按照评审程序，经班级评议、学院审核、学校复核，确定资助名单。" * 8 + "</p>"
    fields = dict(
        kind="publication",
        kind_label="信息公开记录",
        title=TITLE,
        record_no="GK-000042-V1-P",
        issued_at="2026-11-26 16:00",
        metadata=[("清单事项", "学生管理服务信息 · 31. 学生奖学金、助学金评选办法"), ("责任部门", "学生工作处"), ("公开途径", "门户网站信息公开专栏")],
        body_html=body + paragraph * (0 if pages == 1 else 7 * (pages - 1)),
        approvals=[
            {"step": "提交审核", "role": "信息公开联络员", "person": APPROVERS[0], "time": "2026-11-20 09:00", "decision": "提交", "comment": ""},
            {"step": "审核", "role": "部门负责人", "person": APPROVERS[1], "time": "2026-11-21 10:00", "decision": "同意", "comment": "同意公开"},
            {"step": "公开审批", "role": "信息公开办公室", "person": APPROVERS[2], "time": "2026-11-22 15:30", "decision": "同意公开", "comment": ""},
        ],
        audit={"events": [3, 4, 5], "size": 6, "root": "ab" * 32, "origin": "gongkai.test/audit"},
        proof={"format": "gongkai-record/1", "audit": {}},
    )
    fields.update(overrides)
    return RecordContent(**fields)


@pytest.fixture
def content():
    return sample_content


@pytest.fixture(autouse=True)
def records_dir(settings, tmp_path, monkeypatch):
    settings.RECORDS_DIR = tmp_path / "records"
    monkeypatch.setenv("RECORDS_DIR", str(settings.RECORDS_DIR))  # for worker processes
    return settings.RECORDS_DIR


@pytest.fixture
def published(user, django_capture_on_commit_callbacks):
    """An item published through the workflow; its record is issued by the on-commit hook."""
    item = draft(user, title="2025年收支预算总表", body="<p>学校2025年收支预算总表如下。</p>")
    with django_capture_on_commit_callbacks(execute=True):
        to_state(user, item, "published")
    item.refresh_from_db()
    return item


def run_record_verify(path, *extra):
    """record_verify as a person runs it: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("record_verify", str(path), *extra, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


def pdf_text(path):
    """The PDF's text with whitespace removed (table cells wrap names across lines)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True).stdout
    return "".join(text.split())


def one_byte_changed(data):
    """The same file with one byte of the signed content changed."""
    data = bytearray(data)
    position = data.index(b"/Contents", 200) - 40  # inside the signed range, not the signature
    data[position] = ord("X") if data[position] != ord("X") else ord("Y")
    return bytes(data)


def with_appended_revision(data):
    """The file with a new incremental revision appended after the signature."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root["/PageMode"] = generic.NameObject("/UseOutlines")  # any change, in a new revision
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
