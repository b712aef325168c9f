"""What waits for whom: the items a user may see, their inbox (due soonest first), and the
periodic scan (scheduled publications, reminders before a deadline, escalation after it). Reads,
plus the scan's notifications; the changes themselves are workflow.services'."""

import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.env import env_int
from policies.access import departments_where, users_with
from workflow import notify, rules
from workflow.models import OPEN_STATES, DisclosureItem, Notification, State, Step
from workflow.transitions import STAGES
from workflow.workdays import working_days_between

# Assignees are reminded this many working days before the due date (WORKFLOW_REMIND_WORKING_DAYS).
REMIND_WORKING_DAYS = env_int("WORKFLOW_REMIND_WORKING_DAYS", 3)


def visible_items(user):
    """Items the user may see: their departments' (view_items), all for school-wide roles."""
    return DisclosureItem.objects.filter(department__in=departments_where(user, "view_items"))


# Review states where every action is a review decision: there separation of duties decides
# whether the item waits for a user at all, so the query itself leaves such items out.
_SEPARATED_STATES = [
    state for state in STAGES
    if state in rules.REVIEW_STATES and all(action in rules.REVIEW_ACTIONS for action in rules.actions_in(state))
]


def task_items(user):
    """Items waiting for this user to act, due soonest first, as one query (separation of duties
    applied in SQL): slice it for a page, count() it for the total. with_actions() then tells what
    the user may do to a page of them."""
    condition = Q(pk__in=[])
    for state, stage in STAGES.items():
        condition |= Q(state=state, department__in=departments_where(user, stage.permission))
    authored = Step.objects.filter(item=OuterRef("pk"), actor_id=user.pk, action__in=rules.AUTHOR_ACTIONS)
    decided_elsewhere = Step.objects.filter(
        item=OuterRef("pk"), actor_id=user.pk, action__in=rules.REVIEW_STEPS, state_before__in=rules.REVIEW_STATES,
    ).exclude(state_before=OuterRef("state"))
    return (
        DisclosureItem.objects.filter(condition)
        .exclude(Q(state__in=_SEPARATED_STATES) & (Exists(authored) | Exists(decided_elsewhere)))
        .select_related("department", "catalogue_entry")
        .order_by("due_on", "id")
    )


def with_actions(items, user):
    """The items (a page) with `available_actions` set, those with none left out; the items'
    history is read in one query."""
    items = list(items)
    involvements, memo = rules.Involvement.of_items(items), {}
    for item in items:
        item.available_actions = rules.available_actions(item, user, memo, involvements[item.pk])
    return [item for item in items if item.available_actions]


def task_summary(tasks, today):
    """{"total", "overdue", "by_state": [(state label, count)]} of a task query, in one query."""
    rows = tasks.order_by().values("state").annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
    by_state = {row["state"]: row for row in rows}
    return {
        "total": sum(row["n"] for row in by_state.values()),
        "overdue": sum(row["late"] for row in by_state.values()),
        "by_state": [(State(state).label, by_state[state]["n"]) for state in STAGES if state in by_state],
    }


def scan_due(today=None):
    """Periodic: publish scheduled items that are due; remind assignees when a deadline is near;
    past it, tell the assignees, the department head and the office. Each notice is sent once per
    item, step and version. Returns counts."""
    from workflow.tasks import publish_item

    today = today or timezone.localdate()
    counts = {"published": 0, "reminded": 0, "escalated": 0}
    due_publications = DisclosureItem.objects.filter(state=State.PUBLISHING, publish_at__lte=timezone.now())
    for pk in due_publications.values_list("pk", flat=True):
        publish_item.delay(pk)
        counts["published"] += 1

    horizon = today + datetime.timedelta(days=2 * REMIND_WORKING_DAYS + 10)
    open_items = list(
        DisclosureItem.objects.filter(state__in=OPEN_STATES, due_on__lte=horizon).select_related(
            "department", "created_by"
        )
    )

    def key_for(item):
        kind = "overdue" if item.is_overdue(today) else "due"
        return f"{kind}:{item.pk}:{item.state}:{item.version}"

    # Items already reminded or escalated for this step and version are skipped without a look-up
    # of their recipients, so the scan stays cheap with many overdue items.
    done = set(
        Notification.objects.filter(key__in=[key_for(item) for item in open_items]).values_list("key", flat=True)
    )
    for item in open_items:
        if key_for(item) in done:
            continue
        with transaction.atomic():
            if item.is_overdue(today):
                users = {u.pk: u for u in notify.assignees(item)}
                for extra in list(users_with("approve_items", item.department)) + list(
                    users_with("publish_items", item.department)
                ):
                    users.setdefault(extra.pk, extra)
                message = _("Overdue since %(due)s: %(title)s (%(state)s)") % {
                    "due": item.due_on.isoformat(), "title": item.title, "state": State(item.state).label,
                }
                sent = notify.notify(users.values(), item, Notification.Kind.OVERDUE, message,
                                     key=f"overdue:{item.pk}:{item.state}:{item.version}")
                counts["escalated"] += len(sent)
            elif working_days_between(today, item.due_on) <= REMIND_WORKING_DAYS:
                message = _("Due on %(due)s: %(title)s (%(state)s)") % {
                    "due": item.due_on.isoformat(), "title": item.title, "state": State(item.state).label,
                }
                sent = notify.notify(notify.assignees(item), item, Notification.Kind.DUE_SOON, message,
                                     key=f"due:{item.pk}:{item.state}:{item.version}")
                counts["reminded"] += len(sent)
    return counts
