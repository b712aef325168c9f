"""Who may fetch which record. A publication record of a published item is public; every other
record is visible only to those who may see the item. Anything else is a 404, so outsiders cannot
tell a hidden item from a missing one."""

from django.db import transaction

from audit.services import record as audit_record
from records.models import Record

PUBLIC_STATES = {"published", "superseded"}
KIND_FOR_STATE = {
    "published": Record.Kind.PUBLICATION,
    "superseded": Record.Kind.PUBLICATION,
    "refused": Record.Kind.REFUSAL,
    "withdrawn": Record.Kind.WITHDRAWAL,
}


def _may_view(user, item):
    if not user.is_authenticated:
        return False
    try:
        from workflow import access as workflow_access
    except ImportError:
        workflow_access = None
    if workflow_access is not None and hasattr(workflow_access, "can_view"):
        return workflow_access.can_view(user, item)
    from policies.access import can

    return can(user, "view_items", item.department)


def record_for(user, item_id, *, kind=None):
    """The record this user may fetch for the item, or None (→ 404)."""
    try:
        from workflow.models import DisclosureItem
    except ImportError:  # the workflow app is not installed: there are no items, hence no records
        return None

    item = DisclosureItem.objects.select_related("department").filter(pk=item_id).first()
    if item is None:
        return None
    kind = kind or KIND_FOR_STATE.get(item.state)
    if kind not in Record.Kind.values:
        return None
    public = kind == Record.Kind.PUBLICATION and item.state in PUBLIC_STATES
    if not public and not _may_view(user, item):
        return None
    return Record.objects.filter(item_id=item.pk, kind=kind).order_by("-version").first()


def log_download(user, record):
    """Downloads by signed-in people are audited (anonymous downloads of public records are not:
    they are public documents, and logging them would let anyone flood the log)."""
    if not user.is_authenticated:
        return
    with transaction.atomic():
        audit_record(
            "record.download",
            actor=user,
            obj=record,
            data={"sha256": record.sha256, "item": str(record.item_id), "kind": record.kind},
        )
