"""The history import as an office adopting Gongkai mid-year uses it: a past year from the template,
the annual report of that year gives back every figure, a second run changes nothing, and one bad
row writes nothing and says where it is."""

import datetime
import io
import subprocess

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from audit.models import AuditEvent
from portal.channels import period_counts
from portal.models import ChannelPost
from reports import annual, coverage
from tests.imports.workbook import year_of_history, write
from workflow.models import CatalogueEntry, DisclosureItem, Step

D = datetime.date
YEAR = (D(2024, 9, 1), D(2025, 8, 31))


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_history", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    return (DisclosureItem.objects.count(), ChannelPost.objects.count(), Step.objects.count(), AuditEvent.objects.count())


@pytest.fixture
def history(tmp_path, demo):
    items, posts, expected = year_of_history(300)
    return write(tmp_path / "history.xlsx", items, posts), expected


def test_a_past_year_comes_back_in_the_annual_report(history):
    path, expected = history
    out, _err = run(path)
    assert "imported: 300 items, 443 channel posts" in out

    figures, _cov = annual.compute(*YEAR)
    assert figures.published == 300
    assert (figures.on_time, figures.late) == (300 - expected["late"], expected["late"])
    channels = {c.code: c.count for c in period_counts(*YEAR)}
    assert channels.pop("portal") == 300
    assert channels == dict(expected["channels"])
    online = sum(n for code, n in expected["channels"].items() if code not in ("oa", "print"))
    assert figures.online_total == 300 + online
    by_category = dict(figures.categories)
    entries = CatalogueEntry.objects.select_related("category").in_bulk(field_name="code")
    per_category = {}
    for code, n in expected["categories"].items():
        name = entries[code].category.name
        per_category[name] = per_category.get(name, 0) + n
    for name, n in per_category.items():
        assert by_category[name] == n
    # Nothing of it falls into the year after.
    assert annual.compute(D(2025, 9, 1), D(2026, 8, 31))[0].published == 0


def test_imported_items_are_marked_everywhere_and_claim_no_review(history, client, user):
    path, _expected = history
    run(path)
    item = DisclosureItem.objects.get(external_ref="OLD-00003")
    assert item.state == "published" and item.imported and item.document_number == "校办〔2024〕3号"
    assert [s.action for s in item.steps.all()] == ["import"]  # no approval, no clearance
    event = AuditEvent.objects.get(action="disclosure.import", object_id=str(item.pk))
    assert event.actor_username == "office" and "OLD-00003" in event.canonical
    assert AuditEvent.objects.filter(action="disclosure.import").count() == 300  # one per item

    assert "迁移导入" in client.get(f"/items/{item.pk}/").content.decode()
    assert "历史信息第3号" in client.get("/search/", {"q": "历史信息第3号"}).content.decode()  # found by the public search
    client.force_login(user("office"))
    assert "迁移导入" in client.get(f"/workflow/items/{item.pk}/").content.decode()
    row = next(r for r in coverage.build(*YEAR).rows if r.item and r.item.pk == item.pk)  # the register's row
    assert row.remarks[0].startswith("迁移导入") and row.reviewers == []


def test_the_record_of_an_imported_item_says_so(history, tmp_path):
    from records.items import issue_for_item

    path, _expected = history
    run(path)
    item = DisclosureItem.objects.get(external_ref="OLD-00003")
    record, created = issue_for_item(item.pk, "publication")
    assert created
    text = "".join(subprocess.run(["pdftotext", "-raw", str(record.file_path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "迁移导入" in text and "未在本系统中进行" in text and "OLD-00003" in text
    assert "保密审查" not in text.replace("保密审查未在本系统中进行", "").replace("审核与保密审查", "")


def test_a_second_import_of_the_same_file_changes_nothing(history):
    path, _expected = history
    run(path)
    before = snapshot()
    out, _err = run(path)
    assert "imported: 0 items, 0 channel posts; already imported (unchanged): 300 items, 443 posts" in out
    assert snapshot() == before


def test_one_bad_row_writes_nothing_and_names_row_and_column(tmp_path, demo):
    items, posts, _expected = year_of_history(50)
    items[16][7] = "2024-02-30"  # 生成日期 of the 17th item: sheet row 18
    posts[3][2] = "微信朋友圈"  # an unknown channel: sheet row 5
    path = write(tmp_path / "bad.xlsx", items, posts)
    before = snapshot()
    with pytest.raises(CommandError, match="2 errors: nothing imported"):
        _out, err = run(path)
    assert snapshot() == before
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_history", str(path), stderr=err, stdout=io.StringIO())
    lines = err.getvalue().splitlines()
    assert "事项 第18行「生成日期」：应为日期 YYYY-MM-DD（实际为“2024-02-30”）" in lines
    assert any(line.startswith("发布记录 第5行「公开途径」：没有代码或名称为“微信朋友圈”") for line in lines)


@pytest.mark.parametrize("column, value, message", [
    (1, 51, "「清单编号」：“51”不是清单中的事项"),
    (1, 11, "「清单编号」：清单事项11"),  # 不适用 to the demo school
    (2, "nosuch", "「部门」：没有代码或名称为“nosuch”的部门"),
    (3, "", "「标题」：必填"),
    (4, "<script>alert(1)</script>", "「正文」："),
    (8, "2999-01-01", "「公开日期」：不能晚于今天"),
    (0, "OLD-00001", "「外部编号」：与第2行重复"),
    (3, "标题\u202e反转", "「标题」："),
])
def test_each_kind_of_bad_cell_is_named(tmp_path, demo, column, value, message):
    items, posts, _expected = year_of_history(3)
    items[1][column] = value
    path = write(tmp_path / "bad.xlsx", items, posts)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_history", str(path), stderr=err, stdout=io.StringIO())
    assert any(line.startswith("事项 第3行") and message in line for line in err.getvalue().splitlines()), err.getvalue()
    assert not DisclosureItem.objects.exists()


def test_dry_run_checks_and_writes_nothing(history):
    path, _expected = history
    before = snapshot()
    out, _err = run(path, "--dry-run")
    assert "would import: 300 items, 443 channel posts" in out
    assert snapshot() == before


def test_a_file_that_is_not_the_template_is_one_clear_error(tmp_path, demo):
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="不是可读取的 .xlsx 文件"):
        run(tmp_path / "x.xlsx")
    write(tmp_path / "sheet.xlsx", [], [], items_sheet="Sheet1")
    with pytest.raises(CommandError, match="缺少工作表「事项」"):
        run(tmp_path / "sheet.xlsx")


def test_attachments_from_a_zip_and_the_template_example(tmp_path, demo):
    """The template's example sheets, copied into its real sheets, import as they are."""
    import zipfile

    from imports.services import template_bytes

    (tmp_path / "template.xlsx").write_bytes(template_bytes())
    book = openpyxl.load_workbook(tmp_path / "template.xlsx")
    for name in ("事项", "发布记录"):
        for row in book[f"示例-{name}"].iter_rows(min_row=2, values_only=True):
            book[name].append(row)
    book.save(tmp_path / "filled.xlsx")
    with zipfile.ZipFile(tmp_path / "files.zip", "w") as archive:
        archive.writestr("2025年部门预算.pdf", b"%PDF-1.4\n% budget\n")
    out, _err = run(tmp_path / "filled.xlsx", "--attachments", tmp_path / "files.zip")
    assert "imported: 2 items, 3 channel posts" in out
    budget = DisclosureItem.objects.get(external_ref="OLD-2025-0002")
    assert budget.department.code == "cwc" and budget.attachments.get().original_name == "2025年部门预算.pdf"
    with pytest.raises(CommandError, match="1 errors"):
        run(tmp_path / "filled.xlsx")  # already imported, but the attachment named is not given now


def test_posts_for_items_published_in_gongkai_by_item_number(tmp_path, demo):
    """Bulk entry of channel posts: the 发布记录 sheet alone, naming Gongkai's own item numbers."""
    from tests.portal import factory

    item = factory.published("21", title="收费标准", produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3))
    page = f"/items/{item.pk}/"
    assert "https://mp.weixin.qq.com/s/1" not in Client().get(page).content.decode()  # kept for its next visitor
    write(tmp_path / "posts.xlsx", [], [["", item.pk, "官方微信公众号", "2025-09-04", "https://mp.weixin.qq.com/s/1", ""],
                                        ["", item.pk, "news", "2025-09-05", "https://www.example.edu.cn/1", ""]])
    out, _err = run(tmp_path / "posts.xlsx")
    assert "https://mp.weixin.qq.com/s/1" in Client().get(page).content.decode()  # its next visitor sees the post
    assert "2 channel posts" in out
    assert {c.code: c.count for c in period_counts(D(2025, 9, 1), D(2025, 9, 30))} == {"portal": 1, "wechat": 1, "news": 1}
    assert AuditEvent.objects.filter(action="channel.post.import", object_id=str(item.pk)).count() == 1
    out, _err = run(tmp_path / "posts.xlsx")
    assert "0 channel posts" in out


@pytest.mark.parametrize("damage", ["crc", "encrypted", "compression"])
def test_an_attachment_the_zip_cannot_give_back_is_a_cell_error(tmp_path, demo, damage):
    """A damaged, encrypted or oddly compressed file in the .zip names its row, not a traceback."""
    import zipfile

    items, _posts, _expected = year_of_history(2)
    items[1][4], items[1][5] = "", "预算.pdf"  # row 3 gives its body as an attachment
    path = write(tmp_path / "att.xlsx", items, [])
    with zipfile.ZipFile(tmp_path / "files.zip", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("预算.pdf", b"%PDF-1.4\n% budget\n%%EOF\n")
    data = bytearray((tmp_path / "files.zip").read_bytes())
    central = data.find(b"PK\x01\x02")
    if damage == "crc":
        data[data.find(b"% budget") + 2] ^= 0xFF
    elif damage == "encrypted":
        data[6] |= 1  # the general-purpose flag's "encrypted" bit, local header and central directory
        data[central + 8] |= 1
    else:
        data[8] = data[central + 10] = 99  # a compression method Python cannot read
    (tmp_path / "files.zip").write_bytes(bytes(data))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 errors: nothing imported"):
        call_command("import_history", str(path), "--attachments", str(tmp_path / "files.zip"), stderr=err, stdout=io.StringIO())
    assert err.getvalue().splitlines() == ["事项 第3行「附件」：附件“预算.pdf”在 .zip 中已损坏或已加密，无法读取：请重新压缩（不设密码）后再上传"]
    assert not DisclosureItem.objects.exists()


@pytest.mark.parametrize("sheet, column, value, message", [
    ("items", 7, "0001-01-01", "事项 第3行「生成日期」：不能早于1900-01-01"),
    ("items", 8, "0202-05-01", "事项 第3行「公开日期」：不能早于1900-01-01"),
    ("posts", 3, "0024-09-10", "发布记录 第3行「发布日期」：不能早于1900-01-01"),
    ("posts", 1, "²", "发布记录 第3行「事项编号」：应为本系统的事项编号"),
    ("posts", 1, "99999999999999999999999", "发布记录 第3行「事项编号」：应为本系统的事项编号"),
])
def test_impossible_years_and_item_numbers_are_cell_errors(tmp_path, demo, sheet, column, value, message):
    items, _posts, _expected = year_of_history(2)
    posts = [["OLD-00001", "", "wechat", "2024-09-10", "https://wechat.example.edu.cn/1", ""] for _n in range(2)]
    posts[1][2] = "douyin"
    (items if sheet == "items" else posts)[1][column] = value
    if column == 1 and sheet == "posts":
        posts[1][0] = ""
    path = write(tmp_path / "bad.xlsx", items, posts)
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_history", str(path), stderr=err, stdout=io.StringIO())
    assert any(line.startswith(message) for line in err.getvalue().splitlines()), err.getvalue()
    assert not DisclosureItem.objects.exists()


def _damaged(path, damage):
    """A copy of the workbook at `path` whose 事项 sheet XML is damaged in the way named."""
    import zipfile

    damaged = path.with_name(f"damaged-{damage}.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2] if damage == "cut short" else data.replace(b'<c r="B3" t="n"><v>', b'<c r="B3" t="n"><v>x', 1)
            target.writestr(info, data)
    return damaged


@pytest.mark.parametrize("damage", ["cut short", "not a number"])
def test_a_workbook_with_a_damaged_sheet_is_one_clear_error(tmp_path, demo, damage):
    items, posts, _expected = year_of_history(3)
    path = _damaged(write(tmp_path / "history.xlsx", items, posts), damage)
    with pytest.raises(CommandError, match="^工作表「事项」已损坏，无法读取"):
        run(path)
    assert not DisclosureItem.objects.exists()


def test_a_workbook_that_unpacks_to_far_more_than_a_template_is_refused_before_it_is_read(tmp_path, demo, monkeypatch):
    """A small .xlsx whose sheet unpacks to gigabytes would hold the import's memory."""
    import zipfile

    from imports import services

    items, posts, _expected = year_of_history(3)
    path = write(tmp_path / "history.xlsx", items, posts)
    padded = tmp_path / "padded.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b" " * 2_000_000 + b"</sheetData>")
            target.writestr(info.filename, data)
    assert padded.stat().st_size < 100_000
    monkeypatch.setattr(services, "MAX_UNPACKED_BYTES", 1024 * 1024)  # the same rule, at a size a test can build
    with pytest.raises(CommandError, match="^padded.xlsx：解压后超过 1 MB"):
        run(padded)
    assert "imported: 3 items" in run(path)[0]  # a real workbook of the same rows is well under it
