"""What waits for whom: the items a user may see, their inbox (due soonest first), and the
periodic scan (scheduled publications, reminders before a deadline, escalation after it). Reads,
plus the scan's notifications; the changes themselves are workflow.services'."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.display import person
from core.env import env_int
from policies.access import acting_for, delegated_to, deputies_by_principal, deputy_for, holders, in_departments_where
from workflow import notify, rules
from workflow.models import OPEN_STATES, DisclosureItem, DueNotice, Notification, State, Step
from workflow.tasks import publish_item
from workflow.transitions import STAGES
from workflow.workdays import counter

# Assignees are reminded this many working days before the due date (WORKFLOW_REMIND_WORKING_DAYS).
REMIND_WORKING_DAYS = env_int("WORKFLOW_REMIND_WORKING_DAYS", 3)


def visible_items(user):
    """Items the user may see: their departments' (view_items), all for school-wide roles."""
    return DisclosureItem.objects.filter(in_departments_where(user, "view_items"))


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
    # Separation of duties as the user's own history, read once (uncorrelated subqueries the
    # database hashes), not probed item by item: the cost follows the user's steps, not the
    # number of items waiting.
    mine = Step.objects.filter(actor_id=user.pk).order_by()
    authored = mine.filter(action__in=rules.AUTHOR_ACTIONS).values("item_id")
    decided = mine.filter(action__in=rules.REVIEW_STEPS, state_before__in=rules.REVIEW_STATES)
    condition = Q(pk__in=[])
    delegated = delegated_to(user)
    for state, stage in STAGES.items():
        # A task the office gave to one person waits for them (and their deputy) only.
        for_me = Q(assigned_to__isnull=True) | Q(assigned_to=user.pk)
        for (codename, department_pk), principals in delegated.items():
            if codename == stage.permission:
                for_me |= Q(department_id=int(department_pk), assigned_to__in=principals)
        here = Q(state=state) & for_me & in_departments_where(user, stage.permission)
        if state in _SEPARATED_STATES:
            # Not their own draft, nor one they decided at another step.
            here &= ~Q(pk__in=authored) & ~Q(pk__in=decided.exclude(state_before=state).values("item_id"))
        condition |= here
    return (
        DisclosureItem.objects.filter(condition)
        .select_related("department", "catalogue_entry")
        .order_by("due_on", "id")
    )


def with_actions(items, user):
    """The items (a page) with `available_actions` set, those with none left out; the items'
    history is read in one query."""
    items = list(items)
    involvements, memo = rules.Involvement.of_items(items), {}
    principals = {}
    for item in items:
        item.available_actions = rules.available_actions(item, user, memo, involvements[item.pk])
        # 代理: they may act here only as someone's deputy (the one the task was given to, if any)
        stage = STAGES.get(item.state)
        ids = acting_for(user, stage.permission, item.department) if stage else set()
        if stage and item.assigned_to_id and item.assigned_to_id != user.pk and item.assigned_to_id in deputy_for(
                user, stage.permission, item.department):
            ids = {item.assigned_to_id}
        principals[item.pk] = ids
    names = _names({pk for ids in principals.values() for pk in ids})
    for item in items:
        item.on_behalf_of = [names[pk] for pk in sorted(principals[item.pk]) if pk in names]
    return [item for item in items if item.available_actions]


def _names(user_ids):
    if not user_ids:
        return {}
    return {user.pk: person(user) for user in get_user_model().objects.filter(pk__in=user_ids)}


def task_summary(tasks, today):
    """{"total", "overdue", "by_state": [(state label, count)]} of a task query, in one query."""
    rows = tasks.order_by().values("state").annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
    by_state = {row["state"]: row for row in rows}
    return {
        "total": sum(row["n"] for row in by_state.values()),
        "overdue": sum(row["late"] for row in by_state.values()),
        "by_state": [(State(state).label, by_state[state]["n"]) for state in STAGES if state in by_state],
    }


DIGEST_TITLES = 5  # items named in a digest; the rest are counted


def scan_due(today=None):
    """Periodic: publish scheduled items that are due; remind assignees when a deadline is near;
    past it, tell the assignees, the department head and the office. Each item's step and version
    is noticed once (DueNotice), and each person gets at most one digest a day listing their items
    — never one message per item. A fixed number of queries however many items are open.
    Returns counts (people reminded, people told of overdue items)."""
    today = today or timezone.localdate()
    counts = {"published": 0, "reminded": 0, "escalated": 0}
    due_publications = DisclosureItem.objects.filter(state=State.PUBLISHING, publish_at__lte=timezone.now())
    for pk in due_publications.values_list("pk", flat=True):
        publish_item.delay(pk)
        counts["published"] += 1

    horizon = today + datetime.timedelta(days=2 * REMIND_WORKING_DAYS + 10)
    open_items = list(DisclosureItem.objects.filter(state__in=OPEN_STATES, due_on__lte=horizon).order_by("due_on", "id"))
    if not open_items:
        return counts

    def key_for(item):
        kind = "overdue" if item.is_overdue(today) else "due"
        return f"{kind}:{item.pk}:{item.state}:{item.version}"

    noticed = set(DueNotice.objects.filter(key__in=[key_for(item) for item in open_items]).values_list("key", flat=True))
    between = counter(today, max(item.due_on for item in open_items))
    pending = [
        item for item in open_items
        if key_for(item) not in noticed and (item.is_overdue(today) or between(today, item.due_on) <= REMIND_WORKING_DAYS)
    ]
    if not pending:
        return counts
    holding = holders({STAGES[item.state].permission for item in pending} | {"approve_items", "publish_items"}, today)

    assigned = {item.assigned_to_id for item in pending if item.assigned_to_id}
    deputies = deputies_by_principal(assigned, today) if assigned else {}

    def people(codename, item):
        return holding.get((codename, None), set()) | holding.get((codename, item.department_id), set())

    def assignees(item):
        """Who acts at the item's step: its role's holders (deputies included), or the person the
        office gave the task to and their deputy."""
        codename = STAGES[item.state].permission
        if item.assigned_to_id:
            return {item.assigned_to_id} | deputies.get((item.assigned_to_id, codename, item.department_id), set())
        return people(codename, item)

    # Who hears about what: the assignees of every pending item; for overdue ones also the
    # department's head and the office.
    digests, recipients_of = {}, {}  # user id → {"due": [items], "overdue": [items]}; item id → user ids
    for item in pending:
        overdue = item.is_overdue(today)
        recipients = assignees(item)
        if overdue:
            recipients |= people("approve_items", item) | people("publish_items", item)
        recipients_of[item.pk] = recipients
        for user_id in recipients:
            digests.setdefault(user_id, {"due": [], "overdue": []})["overdue" if overdue else "due"].append(item)

    digest_key = f"digest:{today.isoformat()}"
    already = set(Notification.objects.filter(key=digest_key, user_id__in=list(digests)).values_list("user_id", flat=True))
    users = get_user_model().objects.in_bulk([user_id for user_id in digests if user_id not in already])
    with transaction.atomic():
        for user_id, user in users.items():
            mine = digests[user_id]
            kind = Notification.Kind.OVERDUE if mine["overdue"] else Notification.Kind.DUE_SOON
            only = (mine["overdue"] + mine["due"])[0] if len(mine["overdue"]) + len(mine["due"]) == 1 else None
            notify.notify([user], only, kind, _digest_message(mine), key=digest_key)
            counts["escalated" if mine["overdue"] else "reminded"] += 1
        # An item is noticed once all its people have heard; someone who already had today's
        # digest hears about it in tomorrow's.
        done = [item for item in pending if recipients_of[item.pk] <= users.keys()]
        DueNotice.objects.bulk_create([DueNotice(key=key_for(item)) for item in done], ignore_conflicts=True)
    return counts


def _digest_message(mine):
    parts = []
    for items, heading in ((mine["overdue"], _("Overdue: %(n)d")), (mine["due"], _("Due within days: %(n)d"))):
        if not items:
            continue
        named = "；".join(
            _("%(title)s (due %(due)s, %(state)s)") % {"title": item.title, "due": item.due_on.isoformat(), "state": State(item.state).label}
            for item in items[:DIGEST_TITLES]
        )
        more = _(" and %(n)d more") % {"n": len(items) - DIGEST_TITLES} if len(items) > DIGEST_TITLES else ""
        parts.append(f"{heading % {'n': len(items)}} — {named}{more}")
    return "\n".join(parts)
