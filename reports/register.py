"""The register (信息公开执行情况登记表): the coverage rows as a table with the columns of rules.md,
written to .xlsx with openpyxl (Chinese headers, frozen header row, widths that fit), plus a second
sheet counting publications per channel."""

import io
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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
    lines = [HEADERS]
    for number, row in enumerate(cov.rows, start=1):
        item = row.item
        links = []
        for placement in row.placements:
            if placement.url:
                links.append(placement.url)
            elif placement.reference:
                links.append(f"{placement.name}：{placement.reference}")
        lines.append([
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
    return lines


def channel_table(cov):
    """Publications per channel, each post counted by its own date within the period."""
    counts = period_counts(cov.date_from, cov.date_to)
    online = sum(c.count for c in counts if c.online)
    items = len(cov.published_items())
    return [["公开途径", "条数"]] + [[c.name, c.count] for c in counts] + [["网络渠道合计（条）", online], ["公开事项合计（条）", items]]


def _display_width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def workbook(cov):
    book = Workbook()
    sheet = book.active
    sheet.title = "登记表"
    rows = table(cov)
    for line in rows:
        sheet.append(line)
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="F2DCDB")
    for cell in sheet[1]:
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(HEADERS, start=1):
        widest = max(
            max((_display_width(part) for part in str(line[index - 1]).split("\n")), default=0) for line in rows
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, MAX_WIDTH.get(header, 60))
    sheet.auto_filter.ref = sheet.dimensions

    counts = book.create_sheet("公开途径统计")
    for line in channel_table(cov):
        counts.append(line)
    for cell in counts[1]:
        cell.font, cell.fill = header_font, header_fill
    counts.freeze_panes = "A2"
    counts.column_dimensions["A"].width = 36
    counts.column_dimensions["B"].width = 10
    title = book.create_sheet("说明")
    title.append(["统计期间", f"{cov.date_from:%Y-%m-%d} 至 {cov.date_to:%Y-%m-%d}"])
    title.append(["统计截至", f"{cov.as_of:%Y-%m-%d}"])
    title.append(["按时标准", "信息制作完成或获取之日起20个工作日内公开（节假日及调休按学校工作日历）"])
    title.column_dimensions["A"].width = 12
    title.column_dimensions["B"].width = 80
    return book


def xlsx_bytes(cov):
    buffer = io.BytesIO()
    workbook(cov).save(buffer)
    return buffer.getvalue()

