"""The import template (CONTRACT.md): the two sheets with their column names, an example of each,
and a sheet that explains the columns. Extra sheets and columns are ignored by the import."""

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from imports.services import ITEMS_SHEET, POSTS_SHEET

ITEM_HEADERS = ["外部编号", "清单编号", "部门", "标题", "正文", "附件", "文号", "生成日期", "公开日期"]
POST_HEADERS = ["外部编号", "事项编号", "公开途径", "发布日期", "链接", "备注"]
ITEM_EXAMPLE = [
    ["OLD-2025-0001", 21, "cwc", "2025年秋季学期收费标准", "<p>经省发展改革委核准，现将收费标准公示如下……</p>", "", "校财〔2025〕12号", "2025-09-20", "2025-09-26"],
    ["OLD-2025-0002", 19, "财务资产处", "2025年部门预算", "", "2025年部门预算.pdf", "", "2025-10-08", "2025-10-15"],
]
POST_EXAMPLE = [
    ["OLD-2025-0001", "", "wechat", "2025-09-26", "https://mp.weixin.qq.com/s/example", ""],
    ["OLD-2025-0001", "", "学校网站新闻", "2025-09-27", "https://www.example.edu.cn/news/1234.html", ""],
    ["OLD-2025-0002", "", "print", "2025-10-20", "", "校报第321期第2版"],
]
NOTES = [
    ("工作表「事项」", "每行一条已经公开的信息"),
    ("外部编号", "必填。该条信息在原系统中的唯一编号；再次导入同一编号不会重复导入"),
    ("清单编号", "必填。《高等学校信息公开事项清单》的事项编号 1–50"),
    ("部门", "必填。部门代码（如 cwc）或部门名称（如 财务资产处）"),
    ("标题", "必填"),
    ("正文", "HTML 或纯文本；没有正文时在「附件」填写附件文件名"),
    ("附件", "附件目录或 .zip 中的文件名（命令行 --attachments，或页面上传的 .zip）"),
    ("文号", "可选"),
    ("生成日期", "必填，YYYY-MM-DD：信息制作完成或获取的日期"),
    ("公开日期", "必填，YYYY-MM-DD：原来公开的日期（不晚于今天）"),
    ("工作表「发布记录」", "每行一次在某个公开途径上的发布（可选）"),
    ("外部编号", "「事项」中的外部编号，或以前导入过的外部编号"),
    ("事项编号", "或者：本系统中已公开事项的编号（为本系统发布的事项批量登记发布记录时使用）"),
    ("公开途径", "必填。公开途径的代码或名称（见系统管理 › 公开途径；信息公开专栏自动登记）"),
    ("发布日期", "必填，YYYY-MM-DD：该次发布自己的日期（年度报告按此日期统计）"),
    ("链接", "可选，http:// 或 https:// 开头"),
    ("备注", "可选；没有链接时写明出处，如“校报第321期”（链接和备注至少填一项）"),
    ("说明", "全部行都检查无误才会写入；任何一处错误都会列出工作表、行号、列名和原因，且不写入任何数据"),
]


def _sheet(book, title, headers, rows=()):
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="F2DCDB")
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFGHI", (16, 10, 14, 36, 40, 22, 18, 12, 12)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    return sheet


def workbook():
    book = Workbook()
    book.remove(book.active)
    _sheet(book, ITEMS_SHEET, ITEM_HEADERS)
    _sheet(book, POSTS_SHEET, POST_HEADERS)
    _sheet(book, f"示例-{ITEMS_SHEET}", ITEM_HEADERS, ITEM_EXAMPLE)
    _sheet(book, f"示例-{POSTS_SHEET}", POST_HEADERS, POST_EXAMPLE)
    notes = book.create_sheet("填写说明")
    for name, text in NOTES:
        notes.append([name, text])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 100
    return book
