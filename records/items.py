"""Records of disclosure items (workflow.DisclosureItem): what the record shows for each decision.

The record is an official Chinese document, so its labels are written here in Chinese rather than
translated from the UI catalogue (a record must read the same whatever the UI language)."""

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from records import services
from records.services import local_time
from records.models import Record, record_number
from records.rendering import RecordContent
from workflow.channels import channel_names
from workflow.models import DisclosureItem

GROUNDS = {
    "state_secret": "国家秘密",
    "trade_secret": "商业秘密",
    "privacy": "个人隐私",
    "law_excluded": "法律法规和学校规定不予公开",
    "security_stability": "危及安全稳定",
}
ROLES = {
    "office": "信息公开办公室",
    "leader": "领导小组",
    "head": "部门负责人",
    "liaison": "信息公开联络员",
    "reviewer": "保密审查员",
    "secrecy": "保密办审查员",
    "auditor": "审计",
    "": "—",
}
# The decision history steps a record shows, with what each step decided.
STEPS = {
    "submit": ("提交审核", "提交"),
    "approve": ("审核", "同意"),
    "return": ("审核", "退回修改"),
    "clear": ("保密审查", "通过"),
    "clear_with_redactions": ("保密审查", "删减后退回"),
    "refuse": ("决定", "不予公开"),
    "publish": ("公开审批", "同意公开"),
    "published": ("发布", "已公开"),
    "withdraw": ("撤回", "撤回公开"),
    "correct": ("更正", "更正"),
    "superseded": ("更正", "被更正版本取代"),
    "import": ("迁移导入", "自学校原有记录导入（导入前的审核未在本系统中进行）"),
}


def _person(user):
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


# The body each role acts for, as the public record names it.
ROLE_BODIES = {"office": "信息公开办公室", "leader": "信息公开工作领导小组", "secrecy": "保密办公室", "auditor": "审计"}


def _approvals(item):
    """The approval chain by step, role, department, time and decision; the names and comments are
    kept for settings.RECORDS_SHOW_PROCESS_DETAILS (the full chain is always in the audit trail)."""
    rows = []
    for step in item.steps.select_related("actor").order_by("created_at", "id"):
        if step.action not in STEPS:
            continue
        label, decision = STEPS[step.action]
        rows.append(
            {
                "step": f"{label}（第{step.version}版）" if step.version else label,
                "role": ROLES.get(step.role, step.role),
                "department": ROLE_BODIES.get(step.role) or item.department.name,
                "person": _person(step.actor),
                "time": local_time(step.created_at),
                "decision": decision,
                "comment": step.comment,
            }
        )
    return rows


def _metadata(item, kind):
    entry = item.catalogue_entry
    published = item.published_at
    due_met = ""
    if published:
        due_met = "按期" if timezone.localtime(published).date() <= item.due_on else "逾期"
    rows = [
        ("清单事项", f"{entry.category.name} · {entry.code}. {entry.title}"),
        ("责任部门", item.department.name),
        ("信息生成日期", f"{item.produced_on:%Y-%m-%d}"),
        ("公开期限", f"{item.due_on:%Y-%m-%d}" + ("（预估）" if item.deadline_provisional else "")),
        ("版本", f"第 {item.version} 版"),
    ]
    if item.document_number:
        rows.append(("文号", item.document_number))
    if item.imported_at:
        rows.append(("来源", f"迁移导入：{timezone.localtime(item.imported_at):%Y-%m-%d}自学校原有记录导入"
                            f"（外部编号 {item.external_ref}）。该信息在使用本系统前已公开，其审核与保密审查未在本系统中进行，"
                            "本记录不证明其经过审核。"))
    if kind == Record.Kind.PUBLICATION:
        if item.imported_at:
            rows.append(("公开日期", f"{timezone.localtime(published):%Y-%m-%d}（原公开日期" + (f"，{due_met}" if due_met else "") + "）"))
        else:
            rows.append(("公开日期", local_time(published) + (f"（{due_met}）" if due_met else "")))
        names = channel_names()
        rows.append(("公开途径", "、".join(names.get(code, code) for code in (item.channels or []))))
    return rows


def _decision(item, kind):
    last = item.steps.filter(action={"refusal": "refuse", "withdrawal": "withdraw"}.get(kind, "publish"))
    last = last.select_related("actor").order_by("-created_at", "-id").first()
    if kind == Record.Kind.REFUSAL:
        return [
            ("决定", "不予公开"),
            ("理由", GROUNDS.get(item.refusal_ground, item.refusal_ground)),
            ("说明", last.comment if last else ""),
            ("决定时间", local_time(last.created_at) if last else ""),
        ]
    if kind == Record.Kind.WITHDRAWAL:
        return [
            ("决定", "撤回公开"),
            ("撤回原因", item.withdrawn_reason or (last.comment if last else "")),
            ("撤回时间", local_time(item.withdrawn_at)),
        ]
    return []


def _attachments(item):
    """The item's own files, by the URL a body may use for them; nothing else is fetchable."""
    base = settings.SITE_URL.rstrip("/") + f"/api/disclosures/{item.pk}/attachments/"
    files = {}
    for attachment in item.attachments.filter(removed_at__isnull=True):
        try:
            path = Path(attachment.file.path)
        except (NotImplementedError, ValueError):
            continue
        files[f"{base}{attachment.pk}/"] = (path, attachment.content_type)
    return files


def content_for(item, kind, proof, issued_at):
    number = record_number(item.pk, item.version, kind)
    bundle = {
        "format": "gongkai-record/1",
        "record": {"number": number, "item": item.pk, "version": item.version, "kind": kind, "issued_at": issued_at.isoformat()},
        "school": settings.SCHOOL_NAME,
        "title": item.title,
        "audit": {
            "origin": proof["origin"],
            "size": proof["size"],
            "root": proof["root"],
            "checkpoint": proof["checkpoint"],
            "events": proof["events"],
        },
    }
    return RecordContent(
        kind=kind,
        kind_label=services.KIND_LABELS[kind],
        title=item.title,
        record_no=number,
        issued_at=local_time(issued_at),
        metadata=_metadata(item, kind),
        # A refusal keeps the body undisclosed; a withdrawal records the decision, not the content.
        body_html=item.body if kind == Record.Kind.PUBLICATION else "",
        approvals=_approvals(item),
        show_people=settings.RECORDS_SHOW_PROCESS_DETAILS,
        decision=_decision(item, kind),
        audit={
            "events": [e["seq"] for e in proof["events"]],
            "size": proof["size"],
            "root": proof["root"],
            "origin": proof["origin"],
        },
        proof=bundle,
        attachments=_attachments(item),
    )


def issue_for_item(item_id, kind):
    """The record of the item's current version for this decision (idempotent)."""
    item = DisclosureItem.objects.select_related("department", "catalogue_entry__category").get(pk=item_id)
    if kind not in Record.Kind.values:
        raise ValueError(f"unknown record kind {kind!r}")
    return services.issue(
        lambda proof, issued_at: content_for(item, kind, proof, issued_at),
        item_id=item.pk,
        version=item.version,
        kind=kind,
        title=item.title,
        department=item.department.code,
    )
