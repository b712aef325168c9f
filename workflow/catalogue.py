"""The disclosure catalogue (《高等学校信息公开事项清单》, 教办函〔2014〕23号) and the office's edits to it.

The 50 MOE items are seeded once with a responsible department each; afterwards the catalogue is the
office's to edit (admin), every change audited here. Items that do not apply to a vocational college
are marked 不适用, never deleted."""

from django.db import transaction

from audit.services import record
from policies.models import Department
from workflow.models import CatalogueCategory, CatalogueEntry
from workflow.workdays import seed_calendar

A, P, C = CatalogueEntry.Frequency.ANNUAL, CatalogueEntry.Frequency.PER_OCCURRENCE, CatalogueEntry.Frequency.ON_CHANGE

CATEGORIES = [
    (1, "基本信息"),
    (2, "招生考试信息"),
    (3, "财务、资产及收费信息"),
    (4, "人事师资信息"),
    (5, "教学质量信息"),
    (6, "学生管理服务信息"),
    (7, "学风建设信息"),
    (8, "学位、学科信息"),
    (9, "对外交流与合作信息"),
    (10, "其他"),
]

# (code, category, title, responsible department, frequency)
MOE_ITEMS = [
    ("1", 1, "办学规模、校级领导班子简介及分工、学校机构设置、学科情况、专业情况、各类在校生情况、教师和专业技术人员数量等办学基本情况", "dzb", A),
    ("2", 1, "学校章程及制定的各项规章制度", "dzb", C),
    ("3", 1, "教职工代表大会相关制度、工作报告", "rsc", A),
    ("4", 1, "学术委员会相关制度、年度报告", "kyc", A),
    ("5", 1, "学校发展规划、年度工作计划及重点工作安排", "dzb", A),
    ("6", 1, "信息公开年度报告", "dzb", A),
    ("7", 2, "招生章程及特殊类型招生办法，分批次、分科类招生计划", "zsb", A),
    ("8", 2, "保送、自主选拔录取、高水平运动员和艺术特长生招生等特殊类型招生入选考生资格及测试结果", "zsb", P),
    ("9", 2, "考生个人录取信息查询渠道和办法，分批次、分科类录取人数和录取最低分", "zsb", A),
    ("10", 2, "招生咨询及考生申诉渠道，新生复查期间有关举报、调查及处理结果", "zsb", P),
    ("11", 2, "研究生招生简章、招生专业目录、复试录取办法，各院（系、所）或学科、专业招收研究生人数", "zsb", A),
    ("12", 2, "参加研究生复试的考生成绩", "zsb", A),
    ("13", 2, "拟录取研究生名单", "zsb", A),
    ("14", 2, "研究生招生咨询及申诉渠道", "zsb", C),
    ("15", 3, "财务、资产管理制度", "cwc", C),
    ("16", 3, "受捐赠财产的使用与管理情况", "cwc", A),
    ("17", 3, "校办企业资产、负债、国有资产保值增值等信息", "cwc", A),
    ("18", 3, "仪器设备、图书、药品等物资设备采购和重大基建工程的招投标", "cwc", P),
    ("19", 3, "收支预算总表、收入预算表、支出预算表、财政拨款支出预算表", "cwc", A),
    ("20", 3, "收支决算总表、收入决算表、支出决算表、财政拨款支出决算表", "cwc", A),
    ("21", 3, "收费项目、收费依据、收费标准及投诉方式", "cwc", C),
    ("22", 4, "校级领导干部社会兼职情况", "rsc", C),
    ("23", 4, "校级领导干部因公出国（境）情况", "rsc", P),
    ("24", 4, "岗位设置管理与聘用办法", "rsc", C),
    ("25", 4, "校内中层干部任免、人员招聘信息", "rsc", P),
    ("26", 4, "教职工争议解决办法", "rsc", C),
    ("27", 5, "本科生占全日制在校生总数的比例、教师数量及结构", "jwc", A),
    ("28", 5, "专业设置、当年新增专业、停招专业名单", "jwc", A),
    ("29", 5, "全校开设课程总门数、实践教学学分占总学分比例、选修课学分占总学分比例", "jwc", A),
    ("30", 5, "主讲本科课程的教授占教授总数的比例、教授授本科课程占课程总门次数的比例", "jwc", A),
    ("31", 5, "促进毕业生就业的政策措施和指导服务", "zsb", C),
    ("32", 5, "毕业生的规模、结构、就业率、就业流向", "zsb", A),
    ("33", 5, "高校毕业生就业质量年度报告", "zsb", A),
    ("34", 5, "本科教学质量报告", "jwc", A),
    ("35", 5, "艺术教育发展年度报告", "jwc", A),
    ("36", 6, "学籍管理办法", "jwc", C),
    ("37", 6, "学生奖学金、助学金、学费减免、助学贷款、勤工俭学的申请与管理规定", "xsc", C),
    ("38", 6, "学生奖励处罚办法", "xsc", C),
    ("39", 6, "学生申诉办法", "xsc", C),
    ("40", 7, "学风建设机构", "jwc", C),
    ("41", 7, "学术规范制度", "kyc", C),
    ("42", 7, "学术不端行为查处机制", "kyc", C),
    ("43", 8, "授予博士、硕士、学士学位的基本要求", "jwc", C),
    ("44", 8, "拟授予硕士、博士学位同等学力人员资格审查和学力水平认定", "jwc", P),
    ("45", 8, "新增硕士、博士学位授权学科或专业学位授权点审核办法", "jwc", C),
    ("46", 8, "拟新增学位授权学科或专业学位授权点的申报及论证材料", "jwc", P),
    ("47", 9, "中外合作办学情况", "jdxy", A),
    ("48", 9, "来华留学生管理相关规定", "xsc", C),
    ("49", 10, "巡视组反馈意见，落实反馈意见整改情况", "dzb", P),
    ("50", 10, "自然灾害等突发事件的应急处理预案、预警信息和处置情况，涉及学校的重大事件的调查和处理情况", "dzb", P),
]

# A vocational college (高职) awards no degrees and admits no graduate students.
NOT_APPLICABLE = {
    **{code: "本校为高职院校，不开展研究生招生" for code in ("11", "12", "13", "14")},
    **{code: "本校为高职院校，不涉及学位授予与学位授权点" for code in ("43", "44", "45", "46")},
    "34": "本校为高职院校，无本科教学",
}


def seed_catalogue():
    """Create the MOE categories and items that are missing (idempotent: an existing entry, perhaps
    edited by the office, is left alone). Returns the number of entries created; the creation is
    one audit event."""
    seed_calendar()
    departments = {d.code: d for d in Department.objects.filter(code__in={row[3] for row in MOE_ITEMS})}
    if len(departments) < len({row[3] for row in MOE_ITEMS}):
        return 0  # departments not there yet (a school without the demo departments)
    with transaction.atomic():
        categories = {}
        for number, name in CATEGORIES:
            categories[number], _ = CatalogueCategory.objects.get_or_create(
                number=number, defaults={"name": name, "order": number, "is_moe": True}
            )
        existing = set(CatalogueEntry.objects.values_list("code", flat=True))
        created = []
        for order, (code, category, title, department, frequency) in enumerate(MOE_ITEMS, start=1):
            if code in existing:
                continue
            created.append(
                CatalogueEntry.objects.create(
                    code=code,
                    category=categories[category],
                    title=title,
                    department=departments[department],
                    frequency=frequency,
                    order=order,
                    applicable=code not in NOT_APPLICABLE,
                    not_applicable_reason=NOT_APPLICABLE.get(code, ""),
                )
            )
        if created:
            record(
                "catalogue.seed",
                actor=None,
                object_type="workflow.catalogueentry",
                data={"created": len(created), "codes": ",".join(e.code for e in created)},
            )
    return len(created)


def entry_state(entry):
    return {
        "code": entry.code,
        "category": entry.category_id,
        "title": entry.title,
        "department": entry.department.code,
        "applicable": int(entry.applicable),
        "not_applicable_reason": entry.not_applicable_reason,
        "frequency": entry.frequency,
        "active": int(entry.active),
    }


@transaction.atomic
def save_entry(entry, *, actor, changed_fields=()):
    """Create or change a catalogue entry (the office's admin)."""
    created = entry.pk is None
    before = None if created else entry_state(CatalogueEntry.objects.select_related("department").get(pk=entry.pk))
    entry.save()
    record(
        "catalogue.entry.create" if created else "catalogue.entry.update",
        actor=actor,
        obj=entry,
        department=entry.department.code,
        before=before,
        after=entry_state(entry),
        data={"code": entry.code, "fields": ",".join(sorted(changed_fields))},
    )
    return entry


def _category_state(category):
    return {"number": category.number, "name": category.name, "order": category.order, "is_moe": int(category.is_moe)}


@transaction.atomic
def save_category(category, *, actor, changed_fields=()):
    created = category.pk is None
    before = None if created else _category_state(CatalogueCategory.objects.get(pk=category.pk))
    category.save()
    record(
        "catalogue.category.create" if created else "catalogue.category.update",
        actor=actor,
        obj=category,
        before=before,
        after=_category_state(category),
        data={"fields": ",".join(sorted(changed_fields))},
    )
    return category
