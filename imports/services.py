"""History import (迁移导入): publications from before the school used Gongkai, read from the
template of CONTRACT.md (sheets 事项 and 发布记录), checked completely first and written only when
every row is right.

- Reading streams the workbook (openpyxl read-only): 10,000 rows never sit in memory as cells.
- Every bad cell is one error naming its sheet, row, column and reason (in Chinese: the office reads
  them); with any error nothing is written.
- Idempotent: an item is keyed by its 外部编号, a post by (item, channel, date, link, note); rows
  already imported are counted as such and left alone, so a second run of the same file changes
  nothing.
- Imported items are published as of their 公开日期 on the public site, marked 迁移导入: their
  history holds one import step (no review that did not happen here), one audit event per item
  names who imported what and when, and their signed records say they were imported.
- Written in chunks of CHUNK items, each chunk one transaction with its audit events; the records
  are issued by a background job per chunk after it commits (without a broker, by the reconciler).
"""

import datetime
import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import record
from core.inputs import DATE_MIN, as_id, check_body_size, clean_text
from imports.tasks import issue_records
from policies.access import is_office
from policies.models import Department
from portal import cache
from portal.models import ChannelPost, SearchDocument
from workflow.channels import Channel
from workflow.content import ContentError, check_upload, clean_body
from workflow.models import PUBLIC_STATES, Attachment, CatalogueEntry, DisclosureItem, ItemVersion, State, Step
from workflow.workdays import disclosure_deadline

ITEMS_SHEET, POSTS_SHEET = "事项", "发布记录"
ITEM_COLUMNS = ["外部编号", "清单编号", "部门", "标题", "正文", "附件", "文号", "生成日期", "公开日期"]
ITEM_REQUIRED = ["外部编号", "清单编号", "部门", "标题", "生成日期", "公开日期"]
POST_COLUMNS = ["外部编号", "事项编号", "公开途径", "发布日期", "链接", "备注"]
POST_REQUIRED = ["公开途径", "发布日期"]
CHUNK = 500
MAX_ERRORS = 1000  # beyond this the file is clearly wrong; more lines help nobody
# An .xlsx is a zip of XML. Ten thousand rows of history unpack to far less than this; a small file
# that unpacks to gigabytes (a "zip bomb") would hold the import's memory, not a template.
MAX_UNPACKED_BYTES = 512 * 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not an .xlsx, a sheet or a column missing)."""


class UnreadableAttachment(Exception):
    """The .zip lists the file but cannot give it back (damaged, encrypted, unknown compression)."""


@dataclass
class ItemRow:
    row: int
    ref: str
    entry: CatalogueEntry
    department: Department
    title: str
    body: str
    attachment: str
    document_number: str
    produced_on: datetime.date
    published_on: datetime.date


@dataclass
class PostRow:
    row: int
    ref: str  # 外部编号 of an item in this file or imported before; or "" with item_id
    item_id: int | None
    channel: object
    posted_on: datetime.date
    url: str
    note: str


@dataclass
class Plan:
    """What a checked file would write, and everything wrong with it."""

    items: list = field(default_factory=list)  # [ItemRow] not imported before
    posts: list = field(default_factory=list)  # [PostRow] not recorded before
    items_existing: int = 0
    posts_existing: int = 0
    rows: int = 0
    errors: list = field(default_factory=list)

    def error(self, sheet, row, column, reason):
        if len(self.errors) < MAX_ERRORS:
            where = f"{sheet} 第{row}行" + (f"「{column}」" if column else "")
            self.errors.append(f"{where}：{reason}")

    @property
    def counts(self):
        return {
            "items": len(self.items), "items_existing": self.items_existing,
            "posts": len(self.posts), "posts_existing": self.posts_existing, "rows": self.rows,
        }


# ---------------------------------------------------------------------------------------------
# Attachments: a directory or a .zip


class Attachments:
    def __init__(self, source, name=None):
        """`name`: what the office called the file it uploaded (the page keeps it elsewhere)."""
        self.source = Path(source) if source else None
        self.zip = None
        if self.source is None:
            return
        if self.source.is_dir():
            return
        if not self.source.is_file():
            raise ImportFileError(f"附件 {source}：不存在")
        try:
            self.zip = zipfile.ZipFile(self.source)
        except zipfile.BadZipFile:
            raise ImportFileError(f"附件 {name}：不是可读取的 .zip 文件" if name else f"附件 {source}：不是目录，也不是 .zip 文件") from None
        self.names = {Path(info.filename).name: info for info in self.zip.infolist() if not info.is_dir()}

    def read(self, name):
        """The file's bytes, or None when the attachments do not hold it."""
        if self.source is None or not name or "/" in name or "\\" in name or name in (".", ".."):
            return None
        if self.zip is not None:
            info = self.names.get(name)
            if info is None or info.file_size > settings.UPLOAD_MAX_BYTES + 1:
                return None if info is None else b"\0" * (settings.UPLOAD_MAX_BYTES + 1)
            try:
                return self.zip.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError):
                raise UnreadableAttachment(name) from None
        path = self.source / name
        if not path.is_file():
            return None
        return path.read_bytes()


def _checked_file(name, data):
    """(ContentFile, content type, size, sha256) for an attachment, or raises ContentError."""
    upload = ContentFile(data, name=name)
    content_type, size, sha256 = check_upload(upload)
    return upload, content_type, size, sha256


# ---------------------------------------------------------------------------------------------
# Reading cells


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value):
    """A date from a date cell or a YYYY-MM-DD text, else None."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        return None


def _open(path, name=None):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            # zipfile reads no member beyond the size its header declares: the sum bounds the work.
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        unpacked = 0  # not a zip, or not there: load_workbook below says which
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(f"{name or Path(path).name}：解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，不是导入模板的工作簿"
                              "（历史信息较多时请分成几个文件导入）")
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ImportFileError(f"{path}：文件不存在") from None
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(f"{name or Path(path).name}：不是可读取的 .xlsx 文件") from None


def _readable(rows, sheet_name):
    """The sheet's rows as openpyxl parses them, row by row: a sheet whose XML is damaged (cut
    short, an impossible cell) is an error for the whole file, found only when its row is read."""
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception:  # openpyxl raises many kinds (ParseError, ValueError, KeyError …)
            raise ImportFileError(f"工作表「{sheet_name}」已损坏，无法读取：请用 Excel 打开并另存为 .xlsx 后重新上传") from None
        yield values


def _sheet_rows(book, sheet_name, columns, required, *, optional_sheet=False):
    """Yield (row number, {column: value}) for the sheet's non-empty rows."""
    if sheet_name not in book.sheetnames:
        if optional_sheet:
            return
        raise ImportFileError(f"缺少工作表「{sheet_name}」（模板的工作表为：{ITEMS_SHEET}、{POSTS_SHEET}）")
    rows = _readable(book[sheet_name].iter_rows(values_only=True), sheet_name)
    header = next(rows, None) or ()
    index = {}
    for position, name in enumerate(header):
        name = _text(name)
        if name in columns and name not in index:
            index[name] = position
    missing = [name for name in required if name not in index]
    if missing:
        raise ImportFileError(f"工作表「{sheet_name}」缺少列：{'、'.join(missing)}（第1行应为列名）")
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or _text(v) == "" for v in values):
            continue
        yield number, {name: (values[position] if position < len(values) else None) for name, position in index.items()}


# ---------------------------------------------------------------------------------------------
# Checking


class _Lookups:
    """Catalogue entries, departments and channels by every name the template allows."""

    def __init__(self):
        self.entries = {e.code: e for e in CatalogueEntry.objects.select_related("category", "department")}
        self.departments = {}
        for department in Department.objects.all():
            self.departments[department.code] = department
            self.departments[department.name] = department
        self.channels = {}
        for channel in Channel.objects.all():
            self.channels[channel.code] = channel
            self.channels[channel.name] = channel


def _policy(cells, error):
    """The input policy of every text field (core.inputs) on the row's text cells: NFC, no control
    or bidi characters. A refused cell is an error and reads as empty afterwards."""
    for column, value in cells.items():
        if isinstance(value, str):
            try:
                cells[column] = clean_text(value, multiline=column in ("正文", "备注"))
            except ValidationError as problem:
                error(column, " ".join(problem.messages))
                cells[column] = None


def _check_item(plan, lookups, attachments, number, cells, today):
    sheet = ITEMS_SHEET
    bad = False

    def error(column, reason):
        nonlocal bad
        bad = True
        plan.error(sheet, number, column, reason)

    _policy(cells, error)

    ref = _text(cells.get("外部编号"))
    if not ref:
        error("外部编号", "必填")
    elif len(ref) > 100:
        error("外部编号", "不能超过100个字符")
    code = _text(cells.get("清单编号"))
    entry = lookups.entries.get(code)
    if not code:
        error("清单编号", "必填")
    elif entry is None or not entry.active:
        error("清单编号", f"“{code}”不是清单中的事项（应为1–50）")
    elif not entry.applicable:
        error("清单编号", f"清单事项{code}（{entry.title}）对本校不适用，不能导入")
    name = _text(cells.get("部门"))
    department = lookups.departments.get(name)
    if not name:
        error("部门", "必填")
    elif department is None:
        error("部门", f"没有代码或名称为“{name}”的部门")
    title = _text(cells.get("标题"))
    if not title:
        error("标题", "必填")
    elif len(title) > DisclosureItem._meta.get_field("title").max_length:
        error("标题", "不能超过300个字符")
    body, attachment = _text(cells.get("正文")), _text(cells.get("附件"))
    if body:
        try:
            body = clean_body(body if "<" in body else "".join(f"<p>{line}</p>" for line in body.splitlines() if line.strip()))
            check_body_size(body)
        except ContentError as problem:
            error("正文", str(problem))
        except Exception as problem:  # ValidationError of the body size
            error("正文", " ".join(getattr(problem, "messages", [str(problem)])))
    if attachment:
        if attachments is None or attachments.source is None:
            error("附件", f"指定了附件“{attachment}”，但没有提供附件目录或 .zip（--attachments）")
        else:
            try:
                data = attachments.read(attachment)
                if data is None:
                    error("附件", f"附件中没有文件“{attachment}”")
                else:
                    _checked_file(attachment, data)
            except UnreadableAttachment:
                error("附件", f"附件“{attachment}”在 .zip 中已损坏或已加密，无法读取：请重新压缩（不设密码）后再上传")
            except ContentError as problem:
                error("附件", str(problem))
    if not body and not attachment:
        error("正文", "正文和附件至少填写一项")
    document_number = _text(cells.get("文号"))
    if len(document_number) > 100:
        error("文号", "不能超过100个字符")
    produced_on, published_on = _date(cells.get("生成日期")), _date(cells.get("公开日期"))
    if produced_on is None:
        error("生成日期", f"应为日期 YYYY-MM-DD（实际为“{_text(cells.get('生成日期'))}”）")
    elif produced_on > today:
        error("生成日期", "不能晚于今天")
    elif produced_on < DATE_MIN:
        error("生成日期", f"不能早于{DATE_MIN}（请检查年份）")
    if published_on is None:
        error("公开日期", f"应为日期 YYYY-MM-DD（实际为“{_text(cells.get('公开日期'))}”）")
    elif published_on > today:
        error("公开日期", "不能晚于今天（导入的是已经公开的信息）")
    elif published_on < DATE_MIN:
        error("公开日期", f"不能早于{DATE_MIN}（请检查年份）")
    elif produced_on and published_on < produced_on:
        error("公开日期", "早于生成日期")
    if bad:
        return None
    return ItemRow(number, ref, entry, department, title, body, attachment, document_number, produced_on, published_on)


def _check_post(plan, lookups, number, cells, today):
    sheet = POSTS_SHEET
    bad = False

    def error(column, reason):
        nonlocal bad
        bad = True
        plan.error(sheet, number, column, reason)

    _policy(cells, error)

    ref, item_id = _text(cells.get("外部编号")), _text(cells.get("事项编号"))
    if not ref and not item_id:
        error("外部编号", "必填（或填写本系统的事项编号）")
    elif item_id and as_id(item_id) is None:  # not "²", "0" nor a number no row can have
        error("事项编号", "应为本系统的事项编号（正整数）")
    name = _text(cells.get("公开途径"))
    channel = lookups.channels.get(name)
    if not name:
        error("公开途径", "必填")
    elif channel is None:
        error("公开途径", f"没有代码或名称为“{name}”的公开途径（见系统管理中的公开途径表）")
    elif channel.code == "portal":
        error("公开途径", "信息公开专栏由本系统自动登记，不需导入；原网站的链接请登记为“部门网站”等途径")
    elif not channel.active:
        error("公开途径", f"公开途径“{channel.name}”已停用")
    posted_on = _date(cells.get("发布日期"))
    if posted_on is None:
        error("发布日期", f"应为日期 YYYY-MM-DD（实际为“{_text(cells.get('发布日期'))}”）")
    elif posted_on > today:
        error("发布日期", "不能晚于今天")
    elif posted_on < DATE_MIN:
        error("发布日期", f"不能早于{DATE_MIN}（请检查年份）")
    url, note = _text(cells.get("链接")), _text(cells.get("备注"))
    if url and (not url.startswith(("http://", "https://")) or len(url) > 500 or any(c.isspace() for c in url)):
        error("链接", "应为 http:// 或 https:// 开头的网址（不超过500个字符）")
    if len(note) > 200:
        error("备注", "不能超过200个字符")
    if not url and not note:
        error("链接", "链接和备注至少填写一项（没有链接时在备注写明出处，如“校报第321期”）")
    if bad:
        return None
    return PostRow(number, ref, as_id(item_id), channel, posted_on, url, note)


def check(path, *, attachments=None, on_progress=None, workbook_name=None, attachments_name=None):
    """Read and check the whole file. Returns a Plan (its `errors` empty when it may be written).
    The names are the uploaded files' own, for the errors (else the paths')."""
    today = timezone.localdate()
    book = _open(path, workbook_name)
    try:
        attachments = Attachments(attachments, attachments_name) if attachments else None
        lookups = _Lookups()
        plan = Plan()
        rows = []
        seen = {}
        for number, cells in _sheet_rows(book, ITEMS_SHEET, ITEM_COLUMNS, ITEM_REQUIRED):
            plan.rows += 1
            row = _check_item(plan, lookups, attachments, number, cells, today)
            ref = _text(cells.get("外部编号"))
            if ref and ref in seen:
                plan.error(ITEMS_SHEET, number, "外部编号", f"与第{seen[ref]}行重复")
                continue
            if ref:
                seen[ref] = number
            if row is not None:
                rows.append(row)
            if on_progress and plan.rows % 1000 == 0:
                on_progress(plan.rows)
        existing = _existing_refs(seen)
        for row in rows:
            if row.ref in existing:
                plan.items_existing += 1
            else:
                plan.items.append(row)

        posts = []
        for number, cells in _sheet_rows(book, POSTS_SHEET, POST_COLUMNS, POST_REQUIRED, optional_sheet=True):
            plan.rows += 1
            row = _check_post(plan, lookups, number, cells, today)
            if row is not None:
                posts.append(row)
        _resolve_posts(plan, posts, seen, existing)
        return plan
    finally:
        book.close()


def _existing_refs(refs):
    """{外部编号: (item id, state)} of items imported before, among `refs`."""
    found = {}
    refs = list(refs)
    for start in range(0, len(refs), 900):  # SQLite's limit on query parameters
        for pk, ref, state in DisclosureItem.objects.filter(external_ref__in=refs[start:start + 900]).values_list("pk", "external_ref", "state"):
            found[ref] = (pk, state)
    return found


def _resolve_posts(plan, posts, refs_in_file, existing):
    """Tie each post to its item (in this file, imported before, or by item number); drop posts
    already recorded."""
    unknown_refs = {p.ref for p in posts if p.ref and p.ref not in refs_in_file and p.ref not in existing}
    existing.update(_existing_refs(unknown_refs))
    ids = {p.item_id for p in posts if p.item_id}
    by_id = dict(DisclosureItem.objects.filter(pk__in=ids).values_list("pk", "state")) if ids else {}
    resolved, keys_in_db, seen = [], set(), set()
    for post in posts:
        if post.ref:
            if post.ref in existing:
                post.item_id = existing[post.ref][0]
                if existing[post.ref][1] not in PUBLIC_STATES:
                    plan.error(POSTS_SHEET, post.row, "外部编号", f"事项“{post.ref}”尚未公开，不能登记发布记录")
                    continue
            elif post.ref not in refs_in_file:
                plan.error(POSTS_SHEET, post.row, "外部编号", f"“{post.ref}”既不在「{ITEMS_SHEET}」中，也不是已导入的事项")
                continue
        elif by_id.get(post.item_id) not in PUBLIC_STATES:
            plan.error(POSTS_SHEET, post.row, "事项编号", f"没有已公开的第{post.item_id}号事项")
            continue
        resolved.append(post)
    item_ids = {p.item_id for p in resolved if p.item_id}
    if item_ids:
        for item_id, code, posted_at, url, note in ChannelPost.objects.current().filter(item__in=item_ids).values_list(
            "item_id", "channel__code", "posted_at", "url", "reference"
        ):
            keys_in_db.add((item_id, code, timezone.localdate(posted_at), url, note))
    for post in resolved:
        key = (post.item_id or post.ref, post.channel.code, post.posted_on, post.url, post.note)
        if key in seen or (post.item_id and key in keys_in_db):
            plan.posts_existing += 1
            continue
        seen.add(key)
        plan.posts.append(post)


# ---------------------------------------------------------------------------------------------
# Writing


def may_import(user):
    return is_office(user)


def default_importer():
    """Who the command line imports as when not told: the first active disclosure-office user."""
    users = get_user_model().objects.filter(is_active=True)
    for user in users.filter(Q(is_superuser=True) | Q(groups__permissions__codename="publish_items") | Q(user_permissions__codename="publish_items")).distinct().order_by("id"):
        if may_import(user):
            return user
    return None


def _noon(day):
    """A date-only time (publication, post) is stored at noon of that day, school time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _item_state(item):
    return {
        "state": item.state,
        "title": item.title,
        "body": ItemVersion.content_hash(item.title, item.body),
        "department": item.department.code,
        "catalogue_entry": item.catalogue_entry.code,
        "produced_on": item.produced_on.isoformat(),
        "published_at": item.published_at.isoformat(),
        "external_ref": item.external_ref,
        "channels": ",".join(item.channels),
    }


def write(plan, *, actor, attachments=None, via="command", on_progress=None):
    """Write a checked plan (no errors) in chunks; returns the counts. Each chunk commits its
    items, their steps, versions, attachments, posts and audit events together."""
    if plan.errors:
        raise ValueError("a plan with errors is never written")
    if not may_import(actor):
        raise PermissionDenied("只有信息公开办公室可以导入历史信息。")
    attachments = Attachments(attachments) if attachments else None
    posts_by_ref = {}
    posts_for_existing = {}
    for post in plan.posts:
        if post.item_id:
            posts_for_existing.setdefault(post.item_id, []).append(post)
        else:
            posts_by_ref.setdefault(post.ref, []).append(post)
    deadlines = {}
    done = 0
    now = timezone.now()
    for start in range(0, len(plan.items), CHUNK):
        chunk = plan.items[start:start + CHUNK]
        with transaction.atomic():
            created = _write_items(chunk, posts_by_ref, actor=actor, attachments=attachments, deadlines=deadlines, now=now, via=via)
            cache.bump()
            ids = [item.pk for item in created]
            transaction.on_commit(lambda ids=ids: _issue_records_later(ids), robust=True)
        done += len(chunk)
        if on_progress:
            on_progress(done)
    if posts_for_existing:
        with transaction.atomic():
            items = DisclosureItem.objects.select_related("department").in_bulk(list(posts_for_existing))
            for item_id, posts in posts_for_existing.items():
                item = items[item_id]
                rows = ChannelPost.objects.bulk_create([
                    ChannelPost(item=item, channel=p.channel, url=p.url, reference=p.note, posted_at=_noon(p.posted_on),
                                recorded_by=actor, recorded_at=now)
                    for p in posts
                ])
                record(
                    "channel.post.import", actor=actor, obj=item, department=item.department.code,
                    data={"posts": len(rows), "channels": ",".join(sorted({p.channel.code for p in posts})), "via": via},
                )
            cache.bump(item_ids=list(posts_for_existing))  # their pages now list the posts
    return plan.counts


def _write_items(chunk, posts_by_ref, *, actor, attachments, deadlines, now, via):
    items = []
    for row in chunk:
        if row.produced_on not in deadlines:
            deadlines[row.produced_on] = disclosure_deadline(row.produced_on)
        due_on, provisional = deadlines[row.produced_on]
        body = row.body or f"<p>见附件：{row.attachment}</p>"
        codes = [p.channel.code for p in posts_by_ref.get(row.ref, [])]
        items.append(DisclosureItem(
            catalogue_entry=row.entry, department=row.department, title=row.title, body=body,
            produced_on=row.produced_on, due_on=due_on, deadline_provisional=provisional,
            channels=["portal", *dict.fromkeys(codes)], state=State.PUBLISHED, version=1,
            created_by=actor, created_at=now, updated_at=now, published_at=_noon(row.published_on),
            document_number=row.document_number, external_ref=row.ref, imported_at=now,
        ))
    items = DisclosureItem.objects.bulk_create(items)
    versions, steps, posts = [], [], []
    for item, row in zip(items, chunk):
        versions.append(ItemVersion(
            item=item, number=1, title=item.title, body=item.body, sha256=ItemVersion.content_hash(item.title, item.body),
            submitted_by=actor, submitted_at=now,
            data={"imported": True, "external_ref": row.ref, "produced_on": row.produced_on.isoformat(),
                  "published_on": row.published_on.isoformat(), "channels": item.channels},
        ))
        steps.append(Step(
            item=item, version=1, actor=actor, role="office", action=Step.Action.IMPORT, state_before="",
            state_after=State.PUBLISHED, created_at=now,
            comment=f"迁移导入：外部编号 {row.ref}，原公开日期 {row.published_on:%Y-%m-%d}；此前的审核不在本系统中进行",
            data={"external_ref": row.ref, "published_on": row.published_on.isoformat(), "via": via},
        ))
        for post in posts_by_ref.get(row.ref, []):
            posts.append(ChannelPost(item=item, channel=post.channel, url=post.url, reference=post.note,
                                     posted_at=_noon(post.posted_on), recorded_by=actor, recorded_at=now))
    ItemVersion.objects.bulk_create(versions)
    Step.objects.bulk_create(steps)
    ChannelPost.objects.bulk_create(posts)
    _index_for_search(items)
    posts_per_item = {}
    for post in posts:
        posts_per_item[post.item_id] = posts_per_item.get(post.item_id, 0) + 1
    for item, row in zip(items, chunk):
        attachment = _store_attachment(item, row, actor, attachments, now) if row.attachment else None
        data = {
            "external_ref": row.ref, "published_on": row.published_on.isoformat(),
            "produced_on": row.produced_on.isoformat(), "posts": posts_per_item.get(item.pk, 0), "via": via,
        }
        if attachment is not None:
            data["attachment"] = attachment.sha256
        record("disclosure.import", actor=actor, obj=item, version=1, department=row.department.code,
               before=None, after=_item_state(item), data=data)
    return items


def _index_for_search(items):
    """The public site's search words (portal.search), as a public item's save would store them."""
    from portal.search import document

    SearchDocument.objects.bulk_create([document(item) for item in items])


def _store_attachment(item, row, actor, attachments, now):
    upload, content_type, size, sha256 = _checked_file(row.attachment, attachments.read(row.attachment))
    attachment = Attachment(item=item, original_name=row.attachment[-255:], content_type=content_type, size=size,
                            sha256=sha256, uploaded_by=actor, uploaded_at=now)
    existing = Attachment.objects.filter(sha256=sha256).exclude(file="").first()
    if existing and existing.file.storage.exists(existing.file.name):
        attachment.file.name = existing.file.name
    else:
        attachment.file.save(sha256, upload, save=False)
    attachment.save()
    return attachment


def _issue_records_later(item_ids):
    """With a broker, a worker issues the chunk's records. Without one (tasks run in-process) they
    are not rendered inside the import — 10,000 records would hold the import for hours — but by
    the reconciler's periodic run (operations.reconcile: published items without their record), in
    a process of its own when there are many (operations.tasks.reconcile)."""
    from celery import current_app as app

    if app.conf.task_always_eager:
        return
    issue_records.delay(item_ids)


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def template_bytes():
    from imports.template import workbook

    buffer = io.BytesIO()
    workbook().save(buffer)
    return buffer.getvalue()
