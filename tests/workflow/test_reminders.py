"""Reminders before the due date, escalation after it, each sent once; driven by a periodic job."""

import datetime

from django.conf import settings

from tests.workflow.helpers import draft, to_state
from workflow import queues, services
from workflow.models import Notification

D = datetime.date


def notes(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_assignees_are_reminded_near_the_deadline_and_escalated_after_it(user):
    # Produced 26 Sep 2025 → due 30 Oct 2025.
    item = to_state(user, draft(user), "head_review")
    assert item.due_on == D(2025, 10, 30)

    assert queues.scan_due(today=D(2025, 10, 20))["reminded"] == 0
    assert queues.scan_due(today=D(2025, 10, 27))["reminded"] == 1  # 3 working days left
    assert notes("due_soon") == ["cwc_head"]
    queues.scan_due(today=D(2025, 10, 28))
    assert notes("due_soon") == ["cwc_head"], "reminded once per step"

    counts = queues.scan_due(today=D(2025, 10, 31))
    assert counts["escalated"] == 2
    assert notes("overdue") == ["cwc_head", "office"]
    queues.scan_due(today=D(2025, 11, 3))
    assert notes("overdue") == ["cwc_head", "office"], "escalated once per step"

    # The next step has its own reminders.
    services.approve(item, actor=user("cwc_head"))
    queues.scan_due(today=D(2025, 11, 3))
    assert "cwc_reviewer" in notes("overdue")


def test_items_no_longer_open_are_left_alone(user):
    item = to_state(user, draft(user), "published")
    assert queues.scan_due(today=D(2026, 1, 5)) == {"published": 0, "reminded": 0, "escalated": 0}
    assert not Notification.objects.filter(item=item, kind__in=["due_soon", "overdue"]).exists()


def test_the_periodic_job_is_scheduled_and_runs(user):
    entry = settings.CELERY_BEAT_SCHEDULE["workflow-scan-due"]
    assert entry["task"] == "workflow.tasks.scan_due" and entry["schedule"] > 0
    from workflow.tasks import scan_due

    result = scan_due.delay().get(timeout=10)
    assert set(result) == {"published", "reminded", "escalated", "timers"}


def test_notification_read_api(api, user):
    item = to_state(user, draft(user), "head_review")
    queues.scan_due(today=D(2025, 10, 31))
    rows = api("cwc_head").get("/api/notifications/").json()
    assert [r["kind"] for r in rows] == ["overdue"] and rows[0]["item"] == item.pk and rows[0]["read_at"] is None
    assert api("cwc_head").post("/api/notifications/", {}, format="json").status_code == 204
    assert api("cwc_head").get("/api/notifications/").json()[0]["read_at"] is not None
    assert api("cwc_liaison").get("/api/notifications/").json() == []
