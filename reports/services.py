"""Reports' writes: exporting the register is an audit event (who, which period, which file hash)."""

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from core.files import atomic_write
from policies.access import can_any
from reports import coverage, register


def may_read_dashboard(user):
    """The disclosure office and the leading group (school-wide permissions)."""
    return can_any(user, "publish_items", "approve_major_items")


def require_dashboard_reader(user):
    """PermissionDenied (403) for anyone who may not read the reports."""
    if not may_read_dashboard(user):
        raise PermissionDenied


def _audit_export(actor, cov, data, *, via):
    record(
        "register.export",
        actor=actor,
        object_type="reports.register",
        data={
            "from": cov.date_from.isoformat(),
            "to": cov.date_to.isoformat(),
            "rows": cov.row_count,
            "sha256": hashlib.sha256(data).hexdigest(),
            "via": via,
        },
    )


def export_register(*, actor, date_from, date_to, out=None, via="web"):
    """Build the register for the period. With `out`, write it there (atomically) and return the
    byte count; otherwise return the .xlsx bytes. `actor` None is the command line (system)."""
    if actor is not None and not may_read_dashboard(actor):
        raise PermissionDenied(_("Only the disclosure office and the leading group export the register."))
    if date_from > date_to:
        raise ValueError(_("The start of the period is after its end."))
    cov = coverage.tally(date_from, date_to)  # the row count for the audit event
    data = register.xlsx_bytes(date_from, date_to)
    with transaction.atomic():
        _audit_export(actor, cov, data, via=via)
        if out is not None:
            atomic_write(out, data)
            return len(data)
    return data

