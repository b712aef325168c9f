"""In-app notifications and their e-mails (owed in the same transaction: workflow.outbox).

Transitions: each row of workflow.transitions.TABLE names who hears about it (`notify`). The
transition writes what is owed on the item (`pending_notice`, in its own transaction); after the
commit a job (workflow.tasks.deliver_notice) writes the rows, clears the mark in the same
transaction and sends the mails, so the request does not look up recipients under the item's row
lock. A lost job (broker down, killed worker) leaves the mark, and the reconciler
(operations.reconcile) delivers it: one notification per recipient per transition, never two.
Reminders and escalation (workflow.queues.scan_due) call `notify` directly, inside their own small
transactions."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from policies.access import deputies_of, users_with
from workflow import outbox
from workflow.models import DisclosureItem, Notification, State
from workflow.tasks import deliver_notice
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
    """Create one notification per user (skipping users already notified under `key`) and owe
    each a mail, sent after commit; `link` is where a notification without an item leads. Returns the users
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
        # Owed in this transaction, sent after it commits (or by the reconciler): workflow.outbox.
        outbox.owe([(u.email, f"[{settings.SCHOOL_NAME}] {message[:120]}", _mail_body(item, message, link)) for u in notified])
    return notified


def _mail_body(item, message, link=""):
    link = f"{settings.SITE_URL}/workflow/items/{item.pk}/" if item else f"{settings.SITE_URL}{link}"
    return f"{message}\n\n{link}\n"


def owed(transition, *, actor=None, comment=""):
    """What a transition owes (the item's `pending_notice`, saved with its new state): None if its
    row names nobody (and a newer transition's silence replaces an older one's notice)."""
    if not transition.notify:
        return None
    return {"action": transition.action, "actor": actor.pk if actor else None, "comment": comment}


def after_transition(item):
    """Send the job that delivers the item's pending notice once the transition commits. The
    single path every transition's notifications take."""
    if item.pending_notice is None:
        return
    item_id = item.pk
    transaction.on_commit(lambda: deliver_notice.delay(item_id), robust=True)


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


def deliver(item_id):
    """Write the notifications the item's last transition owes and clear its mark, in one
    transaction under the item's row lock: run twice (the job late after the reconciler, or a
    redelivered job), it finds nothing owed. Returns the users notified."""
    # In the school's language, as a worker writes them: in-process delivery (no broker) runs in
    # the request of whoever acted, and their English must not reach everyone else's inbox.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        item = DisclosureItem.objects.select_for_update(of=("self",)).select_related("department", "created_by").filter(
            pk=item_id).first()
        if item is None or item.pending_notice is None:
            return []
        owed_notice = item.pending_notice
        transition = TABLE[owed_notice["action"]]
        users, kind, message = RECIPIENTS[transition.notify](item, transition, owed_notice["actor"], owed_notice["comment"])
        if users:
            users = notify(users, item, kind, message)
        DisclosureItem.objects.filter(pk=item.pk).update(pending_notice=None)  # not a change: updated_at stays
        return users
