"""The due scan sends each person one digest a day, never one message per item, and asks the
database the same number of questions however many items are open."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workflow.helpers import draft, to_state
from workflow import queues
from workflow.models import DisclosureItem, DueNotice, Notification

D = datetime.date


def overdue_copies(user, count, *, department="cwc", code="19"):
    """`count` more items waiting for the department head, all past their deadline."""
    template = to_state(user, draft(user, department=department, code=code), "head_review", department=department)
    DisclosureItem.objects.bulk_create([
        DisclosureItem(catalogue_entry=template.catalogue_entry, department=template.department, title=f"逾期事项{n}",
                       produced_on=D(2025, 9, 1), due_on=D(2025, 9, 29), state="head_review", version=1,
                       created_by=template.created_by)
        for n in range(count)
    ])


def digests(username):
    return list(Notification.objects.filter(user__username=username, kind__in=["overdue", "due_soon"]))


def test_many_overdue_items_make_one_digest_per_person_per_day(user):
    overdue_copies(user, 12)
    counts = queues.scan_due(today=D(2025, 11, 3))
    assert counts["escalated"] == 2  # the head and the office: two people, whatever the number of items
    for username in ("cwc_head", "office"):
        (note,) = digests(username)
        assert note.kind == "overdue" and "已逾期 13 项" in note.message and "另有 8 项" in note.message
    assert DueNotice.objects.count() == 13

    assert queues.scan_due(today=D(2025, 11, 3)) == {"published": 0, "reminded": 0, "escalated": 0}
    assert queues.scan_due(today=D(2025, 11, 4))["escalated"] == 0  # each item's step is noticed once
    overdue_copies(user, 2)  # new overdue items: told the next day they are found, in that day's digest
    queues.scan_due(today=D(2025, 11, 4))
    assert len(digests("cwc_head")) == 2 and len(digests("jwc_head")) == 0


def test_the_scan_runs_the_same_statements_for_three_or_thirty_three_overdue_items(user):
    overdue_copies(user, 2)
    with CaptureQueriesContext(connection) as few:
        queues.scan_due(today=D(2025, 11, 3))
    overdue_copies(user, 29)
    with CaptureQueriesContext(connection) as many:
        queues.scan_due(today=D(2025, 11, 4))
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]
