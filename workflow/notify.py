"""In-app notifications and their e-mails.

Transitions: each row of workflow.transitions.TABLE names who hears about it (`notify`), and
`after_transition` is the one way they go out: after the change commits, a job
(workflow.tasks.notify_state) writes the rows and sends the mails, so the item's row lock is not
held while recipients are looked up. Reminders and escalation (workflow.queues.scan_due) call
`notify` directly, inside their own small transactions."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from policies.access import deputies_of, users_with
from workflow.models import DisclosureItem, Notification, State
from workflow.tasks import notify_state
from workflow.transitions import ASSIGNEES, CREATOR, DRAFTERS, STAGES, TABLE


def assignees(item):
    """Whoever acts on the item at its current step (holders of the step's permission there, their
    deputies included; when the office gave the task to one person, that person and their deputy)."""
    stage = STAGES.get(item.state)
    if stage is None:
        return []
    people = users_with(stage.permission, item.department)
    if item.assigned_to_id:
        deputies = deputies_of(stage.permission, item.department, principal=item.assigned_to_id)
        people = people.filter(Q(pk=item.assigned_to_id) | Q(pk__in=deputies))
    return list(people)


def notify(users, item, kind, message, *, key="", email=True, link=""):
    """Create one notification per user (skipping users already notified under `key`) and mail
    them after commit; `link` is where a notification without an item leads. Returns the users
    notified."""
    users = {u.pk: u for u in users}
    if key:
        for done in Notification.objects.filter(user_id__in=list(users), key=key).values_list("user_id", flat=True):
            users.pop(done, None)
    if not users:
        return []
    rows = [Notification(user=u, item=item, kind=kind, message=message[:500], key=key, link=link) for u in users.values()]
    if len(rows) == 1 and not key:
        rows[0].save(force_insert=True)  # one INSERT (bulk_create wraps even one row in a transaction)
    else:
        Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))  # a concurrent scan got there first
    notified = list(users.values())
    if email:
        mails = [
            (f"[{settings.SCHOOL_NAME}] {message[:120]}", _mail_body(item, message, link), settings.DEFAULT_FROM_EMAIL, [u.email])
            for u in notified
            if u.email
        ]
        if mails:
            transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True), robust=True)
    return notified


def _mail_body(item, message, link=""):
    link = f"{settings.SITE_URL}/workflow/items/{item.pk}/" if item else f"{settings.SITE_URL}{link}"
    return f"{message}\n\n{link}\n"


def after_transition(item, transition, *, actor=None, comment=""):
    """Schedule the notifications of a transition for after the commit (nothing if its row names
    nobody). The single path every transition's notifications take."""
    if not transition.notify:
        return

    args = (item.pk, item.state, item.version, actor.pk if actor else None, comment, transition.action)
    transaction.on_commit(lambda: notify_state.delay(*args), robust=True)


# The recipients a transition's row names, and what they are told.
def _assignees(item, transition, actor_id, comment):
    if item.state in (State.DRAFT, State.RETURNED):
        return [], "", ""
    users = [u for u in assignees(item) if u.pk != actor_id]
    message = _("New task: %(title)s (%(state)s, due %(due)s)") % {
        "title": item.title, "state": State(item.state).label, "due": item.due_on.isoformat(),
    }
    return users, Notification.Kind.TASK, message


def _drafters(item, transition, actor_id, comment):
    users = {u.pk: u for u in assignees(item)}
    users.setdefault(item.created_by_id, item.created_by)
    return list(users.values()), Notification.Kind.RETURNED, str(transition.notice) % {
        "title": item.title, "comment": comment}


_CREATOR_KINDS = {"refuse": Notification.Kind.REFUSED, "published": Notification.Kind.PUBLISHED}


def _creator(item, transition, actor_id, comment):
    kind = _CREATOR_KINDS.get(transition.action, Notification.Kind.INFO)
    return [item.created_by], kind, str(transition.notice) % {"title": item.title, "comment": comment}


RECIPIENTS = {ASSIGNEES: _assignees, DRAFTERS: _drafters, CREATOR: _creator}


def state_changed(item_id, state, version, actor_id=None, comment="", action=""):
    """After a transition commits: tell whoever its row names. Skipped if the item has moved on
    since (a later job will speak for the newer state)."""
    item = DisclosureItem.objects.select_related("department", "created_by").filter(pk=item_id).first()
    if item is None or item.state != state or item.version != version:
        return []
    transition = TABLE.get(action) or (TABLE["return"] if state == State.RETURNED else TABLE["submit"])
    users, kind, message = RECIPIENTS[transition.notify](item, transition, actor_id, comment)
    if not users:
        return []
    return notify(users, item, kind, message)
