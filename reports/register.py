"""The register (信息公开执行情况登记表): the coverage rows as a table with the columns of rules.md,
written to .xlsx with XlsxWriter, streamed (Chinese headers, frozen header row, widths that fit),
plus a second sheet counting publications per channel."""

import gc
import io
import unicodedata
from contextlib import contextmanager
from functools import lru_cache

import xlsxwriter

from portal.channels import period_counts
from reports import coverage

HEADERS = ["序号", "类别", "清单编号", "公开事项", "公开内容", "责任部门", "生成日期", "公开日期", "是否按时", "公开途径", "链接", "审核人", "备注"]
MAX_WIDTH = {"公开事项": 40, "公开内容": 40, "链接": 50, "备注": 40, "公开途径": 30, "审核人": 28}


def _date(value):
    return value.strftime("%Y-%m-%d") if value else ""


def on_time_text(row):
    if row.status == coverage.ON_TIME:
        return "是"
    if row.status == coverage.LATE:
        return f"否（逾期{row.late_days}个工作日）"
    if row.status == coverage.OVERDUE:
        return f"逾期未公开（{row.late_days}个工作日）"
    if row.status == coverage.PENDING:
        return "未到期"
    return ""


def table(cov):
    """The register as a list of lists of strings (header first)."""
    return [HEADERS, *lines(cov.rows)]


def lines(rows, first=1):
    """The register's lines for coverage rows, numbered from `first`."""
    result = []
    for number, row in enumerate(rows, start=first):
        item = row.item
        links = []
        for placement in row.placements:
            if placement.url:
                links.append(placement.url)
            elif placement.reference:
                links.append(f"{placement.name}：{placement.reference}")
        result.append([
            number,
            row.entry.category.name,
            row.entry.code,
            row.entry.title,
            item.title if item else "",
            row.department.name,
            _date(item.produced_on) if item else "",
            _date(row.published_on),
            on_time_text(row),
            "、".join(p.name for p in row.placements),
            "\n".join(links),
            "；".join(f"{label}：{name}" for label, name in row.reviewers),
            "；".join(row.remarks),
        ])
    return result


def channel_table(cov):
    """Publications per channel, each post counted by its own date within the period."""
    counts = period_counts(cov.date_from, cov.date_to)
    online = sum(c.count for c in counts if c.online)
    items = len(cov.published_items())
    return [["公开途径", "条数"]] + [[c.name, c.count] for c in counts] + [["网络渠道合计（条）", online], ["公开事项合计（条）", items]]


@lru_cache(maxsize=4096)  # titles of entries, departments, categories, dates repeat on every row
def _display_width(text):
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _widths(rows):
    """Each column's widest line in display columns (a Chinese character counts two), capped.
    A line shorter than half the widest so far cannot be wider: it is not measured."""
    widths = []
    for index, name in enumerate(HEADERS):
        cap, widest = MAX_WIDTH.get(name, 60), 0
        for line in rows:
            value = line[index]
            text = value if isinstance(value, str) else str(value)
            if 2 * len(text) <= widest:
                continue
            for part in text.split("\n"):
                if 2 * len(part) > widest:
                    widest = max(widest, _display_width(part))
            if widest + 2 >= cap:
                break
        widths.append(min(widest + 2, cap))
    return widths


@contextmanager
def _no_cycle_collection():
    """Tens of thousands of rows are built and written at once; none of them forms a reference
    cycle, yet Python's cycle collector would scan them again and again (a third of the CPU time).
    Reference counting frees them as usual; the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_xlsx(cov, out):
    """Write the register to `out` (a path or a binary file) with XlsxWriter in constant-memory
    mode: rows are streamed to disk as they are written, each cell refers to one of two shared
    formats, so time and memory grow with the rows and nothing else."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_urls": False, "strings_to_numbers": False})
    header = book.add_format({"bold": True, "bg_color": "#F2DCDB", "pattern": 1, "align": "center", "valign": "vcenter"})
    body = book.add_format({"valign": "top", "text_wrap": True})
    rows = table(cov)
    sheet = book.add_worksheet("登记表")
    for index, width in enumerate(_widths(rows)):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows) - 1, len(HEADERS) - 1)
    sheet.write_row(0, 0, rows[0], header)
    write_string, write_number = sheet.write_string, sheet.write_number
    for number, line in enumerate(rows[1:], start=1):
        write_number(number, 0, line[0], body)
        for column in range(1, len(line)):
            if line[column]:  # an empty cell is left out (it reads back the same: no value)
                write_string(number, column, line[column], body)

    counts = book.add_worksheet("公开途径统计")
    counts.set_column(0, 0, 36)
    counts.set_column(1, 1, 10)
    counts.freeze_panes(1, 0)
    for number, line in enumerate(channel_table(cov)):
        counts.write_row(number, 0, line, header if number == 0 else None)
    notes = book.add_worksheet("说明")
    notes.set_column(0, 0, 12)
    notes.set_column(1, 1, 80)
    notes.write_row(0, 0, ["统计期间", f"{cov.date_from:%Y-%m-%d} 至 {cov.date_to:%Y-%m-%d}"])
    notes.write_row(1, 0, ["统计截至", f"{cov.as_of:%Y-%m-%d}"])
    notes.write_row(2, 0, ["按时标准", "信息制作完成或获取之日起20个工作日内公开（节假日及调休按学校工作日历）"])
    book.close()


def xlsx_bytes(cov_or_from, date_to=None, *, today=None):
    """The register's .xlsx: of a built coverage, or of the period from `cov_or_from` to `date_to`."""
    with _no_cycle_collection():
        cov = cov_or_from if date_to is None else coverage.build(cov_or_from, date_to, today=today)
        buffer = io.BytesIO()
        write_xlsx(cov, buffer)
        return buffer.getvalue()

