"""Who may fetch which record. A publication record of a published item is public; every other
record is visible only to those who may see the item. Anything else is a 404, so outsiders cannot
tell a hidden item from a missing one."""

from django.db import transaction

from audit.services import record as audit_record
from records.models import Record
from workflow.access import can_view
from workflow.models import DisclosureItem, State

# A withdrawn item's publication record is no longer public (its withdrawal record is the public trace).
PUBLICATION_PUBLIC_STATES = {State.PUBLISHED, State.SUPERSEDED}
KIND_FOR_STATE = {
    State.PUBLISHED: Record.Kind.PUBLICATION,
    State.SUPERSEDED: Record.Kind.PUBLICATION,
    State.REFUSED: Record.Kind.REFUSAL,
    State.WITHDRAWN: Record.Kind.WITHDRAWAL,
}


def record_for(user, item_id, *, kind=None):
    """The record this user may fetch for the item, or None (→ 404)."""
    item = DisclosureItem.objects.select_related("department").filter(pk=item_id).first()
    if item is None:
        return None
    kind = kind or KIND_FOR_STATE.get(item.state)
    if kind not in Record.Kind.values:
        return None
    public = kind == Record.Kind.PUBLICATION and item.state in PUBLICATION_PUBLIC_STATES
    if not public and not (user.is_authenticated and can_view(user, item)):
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
