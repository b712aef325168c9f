"""What the home page shows each role: "what needs me"."""

from django.utils import timezone

from gongkai.context_processors import role_codes
from policies.access import in_departments_where
from reports import overview
from reports.periods import current_academic_year
from workflow.models import UNFINISHED_STATES, DisclosureItem, State, Step
from workflow.views import inbox_context
from workflow.workdays import add_working_days, counter

# Submitted and not yet decided (or being published).
AWAITING_DECISION = tuple(s for s in UNFINISHED_STATES if s not in (State.DRAFT, State.RETURNED))
DUE_SOON_WORKING_DAYS = 5


def _working_days(today, dates):
    """{date: working days from today to it (negative when past)} with one calendar query."""
    if not dates:
        return {}
    between = counter(min(min(dates), today), max(max(dates), today))
    return {target: between(today, target) for target in set(dates)}


def _with_deadlines(items, today):
    left = _working_days(today, [item.due_on for item in items])
    for item in items:
        item.days_left = left[item.due_on]
        item.overdue = item.is_overdue(today)  # the one overdue rule
        item.days_overdue = max(1, -item.days_left) if item.overdue else 0
    return items


def latest_reasons(items):
    """{item id: Step} — the latest return, refusal or redaction request of each item, with who."""
    reasons = {}
    steps = (
        Step.objects.filter(item__in=items, action__in=("return", "refuse", "clear_with_redactions"))
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for step in steps:
        reasons[step.item_id] = step
    return reasons


def my_items(user, today):
    """The items of the departments this user drafts for that are still in progress, by state."""
    items = list(
        DisclosureItem.objects.filter(in_departments_where(user, "draft_items"), state__in=UNFINISHED_STATES)
        .select_related("department", "catalogue_entry")
        .order_by("due_on", "id")[:100]
    )
    reasons = latest_reasons(items)
    for item in items:
        step = reasons.get(item.pk)
        item.latest_reason = step if step is not None and item.state in (State.RETURNED, State.DRAFT) else None
    order = {state: i for i, state in enumerate((State.RETURNED, State.DRAFT) + AWAITING_DECISION)}
    return sorted(_with_deadlines(items, today), key=lambda i: (order.get(i.state, 99), i.due_on))


def office_watch(today):
    """Open items that are overdue or due within DUE_SOON_WORKING_DAYS, most urgent first."""
    horizon, _provisional = add_working_days(today, DUE_SOON_WORKING_DAYS)
    items = list(
        DisclosureItem.objects.filter(state__in=UNFINISHED_STATES, due_on__lte=horizon)
        .select_related("department")
        .order_by("due_on", "id")[:100]
    )
    return _with_deadlines(items, today)


def context(user):
    today = timezone.localdate()
    roles = role_codes(user)
    data = inbox_context(user, limit=10)
    _with_deadlines(data["tasks"], today)
    if "liaison" in roles:
        data["my_items"] = my_items(user, today)
    if roles & {"liaison", "head"}:
        from foi.services import department_tasks

        data["foi_tasks"] = department_tasks(user)
    if "office" in roles:
        data["watch"] = office_watch(today)
    if "leader" in roles:
        date_from, date_to = current_academic_year(today)
        data["overview"] = overview.build(date_from, min(date_to, today), today=today)
    if roles & {"head", "reviewer", "liaison"}:  # a deputy is a member of the department
        from policies.services import deputy_for

        data["deputising"] = deputy_for(user, today)
    data["today"] = today
    data["roles"] = roles
    return data

