"""The register (信息公开执行情况登记表): the coverage rows as a table with the columns of rules.md,
written to .xlsx by rust_xlsxwriter (Chinese headers, frozen header row, widths that fit),
plus a second sheet counting publications per channel."""

import gc
import io
import unicodedata
from contextlib import contextmanager
from functools import lru_cache

import rustpy_xlsxwriter as rust_xlsx

from portal.channels import period_counts
from reports import coverage

HEADERS = ["序号", "类别", "清单编号", "公开事项", "公开内容", "责任部门", "生成日期", "公开日期", "是否按时", "公开途径", "链接", "审核人", "备注"]
MAX_WIDTH = {"公开事项": 40, "公开内容": 40, "链接": 50, "备注": 40, "公开途径": 30, "审核人": 28}


def _date(value):
    return value.isoformat() if value else ""  # YYYY-MM-DD, faster than strftime


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
    """Write the register to `out` (a path or a binary file). rust_xlsxwriter writes the cells:
    Python only builds one dict per row, so 20,000 rows take a fraction of a second, not seconds."""
    header = rust_xlsx.Format().set_bold().set_background_color("#F2DCDB").set_pattern("solid") \
        .set_align("center").set_align("vcenter")
    body = rust_xlsx.Format().set_align("top").set_text_wrap()
    rows = table(cov)
    # An empty cell is left out (None), as Excel writes it: it reads back as no value.
    records = [dict(zip(HEADERS, [value if value != "" else None for value in line])) for line in rows[1:]]
    channels = channel_table(cov)
    # The notes sheet has no header row of its own: its first line is the one the writer takes as headers.
    notes = [["统计期间", f"{cov.date_from:%Y-%m-%d} 至 {cov.date_to:%Y-%m-%d}"],
             ["统计截至", f"{cov.as_of:%Y-%m-%d}"],
             ["按时标准", "信息制作完成或获取之日起20个工作日内公开（节假日及调休按学校工作日历）"]]
    rust_xlsx.write_worksheets(
        [
            ("登记表", records or [dict.fromkeys(HEADERS)]),
            ("公开途径统计", [dict(zip(channels[0], line)) for line in channels[1:]]),
            ("说明", [dict(zip(notes[0], line)) for line in notes[1:]]),
        ],
        out,
        freeze_panes={"登记表": {"row": 1, "col": 0}, "公开途径统计": {"row": 1, "col": 0}},
        column_widths={"登记表": _widths(rows), "公开途径统计": [36, 10], "说明": [12, 80]},
        column_formats={"登记表": [body] * len(HEADERS)},
        header_format={"登记表": header, "公开途径统计": header},
        autofilter={"登记表": True},
    )


def xlsx_bytes(cov_or_from, date_to=None, *, today=None):
    """The register's .xlsx: of a built coverage, or of the period from `cov_or_from` to `date_to`."""
    with _no_cycle_collection():
        cov = cov_or_from if date_to is None else coverage.build(cov_or_from, date_to, today=today)
        buffer = io.BytesIO()
        write_xlsx(cov, buffer)
        return buffer.getvalue()

