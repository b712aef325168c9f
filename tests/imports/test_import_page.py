"""The office's import page: upload, watch the progress, read the counts or the errors."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportBatch
from tests.imports.workbook import year_of_history, write
from workflow.models import DisclosureItem


def upload(client, path, **extra):
    data = {"workbook": SimpleUploadedFile("history.xlsx", path.read_bytes()), **extra}
    return client.post("/office/import/", data)


def test_office_imports_from_the_page_and_sees_the_counts(client, user, tmp_path, django_capture_on_commit_callbacks):
    items, posts, _expected = year_of_history(4)
    path = write(tmp_path / "history.xlsx", items, posts)
    client.force_login(user("office"))
    assert "下载导入模板" in client.get("/office/import/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert batch.status == "done" and batch.percent == 100
    assert 'value="100"' in page and "导入完成" in page and 'http-equiv="refresh"' not in page
    assert DisclosureItem.objects.filter(imported_at__isnull=False).count() == 4
    # Without a broker the records are the reconciler's (never rendered inside the import).
    import datetime

    from django.utils import timezone

    from operations.reconcile import reconcile

    reconcile(now=timezone.now() + datetime.timedelta(hours=1))
    assert all(item.records.filter(kind="publication").exists() for item in DisclosureItem.objects.all())
    from imports.runner import batch_dir

    assert not batch_dir(batch.pk).exists()  # the uploaded files are not kept


def test_a_bad_file_on_the_page_lists_its_errors_and_imports_nothing(client, user, tmp_path, django_capture_on_commit_callbacks):
    items, posts, _expected = year_of_history(4)
    items[2][1] = 99
    path = write(tmp_path / "bad.xlsx", items, posts)
    client.force_login(user("office"))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path, dry_run="on")
    page = client.get(response["Location"]).content.decode()
    assert "事项 第4行「清单编号」：“99”不是清单中的事项" in page and "未导入任何数据" in page
    assert not DisclosureItem.objects.exists()


def test_a_trial_run_imports_nothing(client, user, tmp_path, django_capture_on_commit_callbacks):
    items, posts, _expected = year_of_history(4)
    path = write(tmp_path / "history.xlsx", items, posts)
    client.force_login(user("office"))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path, dry_run="on")
    assert ImportBatch.objects.get().status == "checked"
    assert not DisclosureItem.objects.exists()


def test_the_template_download(client, user):
    client.force_login(user("office"))
    response = client.get("/office/import/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["事项", "发布记录"] and "示例-事项" in book.sheetnames
    assert [c.value for c in book["事项"][1]] == ["外部编号", "清单编号", "部门", "标题", "正文", "附件", "文号", "生成日期", "公开日期"]


@pytest.mark.parametrize("username", ["cwc_liaison", "cwc_head", "leader", "auditor"])
def test_only_the_office_imports(client, user, tmp_path, username):
    client.force_login(user(username))
    assert client.get("/office/import/").status_code == 403
    assert client.get("/office/import/template.xlsx").status_code == 403
    items, posts, _expected = year_of_history(2)
    assert upload(client, write(tmp_path / "h.xlsx", items, posts)).status_code == 403
    assert not ImportBatch.objects.exists()


def test_without_a_broker_the_import_runs_in_a_child_process_and_the_page_shows_its_progress(client, user, tmp_path, jobs_in_child_process):
    """./bin/serve's defaults: the upload answers at once, the batch page refreshes itself until done."""
    import time

    items, posts, _expected = year_of_history(4)
    path = write(tmp_path / "history.xlsx", items, posts)
    client.force_login(user("office"))
    response = upload(client, path)
    assert response.status_code == 302
    assert ImportBatch.objects.get().status in ("pending", "checking", "importing")  # not done inside the request
    assert 'http-equiv="refresh"' in client.get(response["Location"]).content.decode()
    deadline = time.monotonic() + 120
    while not ImportBatch.objects.get().finished and time.monotonic() < deadline:
        time.sleep(0.2)
    page = client.get(response["Location"]).content.decode()
    assert "导入完成" in page and 'http-equiv="refresh"' not in page
    assert DisclosureItem.objects.filter(imported_at__isnull=False).count() == 4


def test_a_damaged_attachments_zip_on_the_page_names_the_row(client, user, tmp_path, django_capture_on_commit_callbacks):
    import zipfile

    items, posts, _expected = year_of_history(2)
    items[0][4], items[0][5] = "", "a.pdf"
    path = write(tmp_path / "att.xlsx", items, posts)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as files:
        files.writestr("a.pdf", b"%PDF-1.4\n% a\n%%EOF\n")
    data = bytearray(archive.getvalue())
    data[data.find(b"% a") + 2] ^= 0xFF  # the file no longer matches its checksum
    client.force_login(user("office"))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path, attachments=SimpleUploadedFile("files.zip", bytes(data)))
    batch = ImportBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert batch.status == "invalid"
    assert "事项 第2行「附件」：附件“a.pdf”在 .zip 中已损坏或已加密" in page and "未导入任何数据" in page
    assert "CRC" not in page
    assert not DisclosureItem.objects.exists()


def test_a_workbook_with_a_damaged_sheet_on_the_page_says_so(client, user, tmp_path, django_capture_on_commit_callbacks):
    from tests.imports.test_import_history import _damaged

    items, posts, _expected = year_of_history(3)
    path = _damaged(write(tmp_path / "history.xlsx", items, posts), "cut short")
    client.force_login(user("office"))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path)
    page = client.get(response["Location"]).content.decode()
    assert ImportBatch.objects.get().status == "invalid"
    assert "工作表「事项」已损坏，无法读取" in page and "ParseError" not in page
    assert not DisclosureItem.objects.exists()


def test_files_that_cannot_be_read_are_named_as_the_office_uploaded_them(client, user, tmp_path, django_capture_on_commit_callbacks):
    items, posts, _expected = year_of_history(2)
    path = write(tmp_path / "history.xlsx", items, posts)
    client.force_login(user("office"))
    for workbook, attachments, message in [
        (SimpleUploadedFile("往年信息.xlsx", b"%PDF-1.4 not a workbook"), None, "往年信息.xlsx：不是可读取的 .xlsx 文件"),
        (SimpleUploadedFile("history.xlsx", path.read_bytes()), SimpleUploadedFile("附件.zip", b"PK\x03\x04 not a zip"),
         "附件 附件.zip：不是可读取的 .zip 文件"),
    ]:
        data = {"workbook": workbook, **({"attachments": attachments} if attachments else {})}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/office/import/", data)
        page = client.get(response["Location"]).content.decode()
        assert message in page
        assert "var/imports" not in page and "不是目录" not in page  # no path on the server
    assert not DisclosureItem.objects.exists()
