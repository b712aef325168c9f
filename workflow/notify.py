"""In-app notifications and their e-mails. Rows are written inside the caller's transaction; mails
go out after it commits (console backend by default)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission

from policies.models import Department
from workflow.models import Notification, State

# Who acts on an item in each open state (permission codename on the item's department).
ACTOR_PERMISSION = {
    State.DRAFT: "draft_items",
    State.RETURNED: "draft_items",
    State.HEAD_REVIEW: "approve_items",
    State.CONFIDENTIALITY_REVIEW: "review_items",
    State.SECRECY_REVIEW: "review_secret_items",
    State.LEADER_REVIEW: "approve_major_items",
    State.OFFICE_REVIEW: "publish_items",
}


def users_with(codename, department):
    """Active users holding policies.<codename> for this department or school-wide."""
    from django.contrib.contenttypes.models import ContentType

    department_type = ContentType.objects.get_for_model(Department)
    object_holders = UserObjectPermission.objects.filter(
        content_type=department_type, object_pk=str(department.pk), permission__codename=codename
    ).values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(pk__in=object_holders)
            | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="policies")
            | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="policies")
        )
        .distinct()
    )


def assignees(item):
    codename = ACTOR_PERMISSION.get(item.state)
    if codename is None:
        return []
    return list(users_with(codename, item.department))


def notify(users, item, kind, message, *, key="", email=True):
    """Create one notification per user (skipping users already notified under `key`) and mail
    them after commit. Returns the users notified."""
    users = {u.pk: u for u in users}
    if key:
        for done in Notification.objects.filter(user_id__in=list(users), key=key).values_list("user_id", flat=True):
            users.pop(done, None)
    if not users:
        return []
    rows = [Notification(user=u, item=item, kind=kind, message=message[:500], key=key) for u in users.values()]
    if len(rows) == 1 and not key:
        rows[0].save(force_insert=True)  # one INSERT (bulk_create wraps even one row in a transaction)
    else:
        Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))  # a concurrent scan got there first
    notified = list(users.values())
    if email:
        mails = [
            (f"[{settings.SCHOOL_NAME}] {message[:120]}", _mail_body(item, message), settings.DEFAULT_FROM_EMAIL, [u.email])
            for u in notified
            if u.email
        ]
        if mails:
            transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True), robust=True)
    return notified


def _mail_body(item, message):
    link = f"{settings.SITE_URL}/workflow/items/{item.pk}/" if item else settings.SITE_URL
    return f"{message}\n\n{link}\n"


def task_arrived(item, *, exclude=()):
    if item.state in (State.DRAFT, State.RETURNED):
        return []
    users = [u for u in assignees(item) if u.pk not in exclude]
    message = _("New task: %(title)s (%(state)s, due %(due)s)") % {
        "title": item.title,
        "state": State(item.state).label,
        "due": item.due_on.isoformat(),
    }
    return notify(users, item, Notification.Kind.TASK, message)


def returned(item, comment):
    users = {u.pk: u for u in assignees(item)}
    users.setdefault(item.created_by_id, item.created_by)
    message = _("Returned for revision: %(title)s — %(comment)s") % {"title": item.title, "comment": comment}
    return notify(users.values(), item, Notification.Kind.RETURNED, message)


def decided(item, kind, message):
    return notify([item.created_by], item, kind, message)


def state_changed(item_id, state, version, actor_id=None, comment=""):
    """After a transition commits: tell whoever must act now (or, when returned, the drafters).
    Skipped if the item has moved on since (a later job will speak for the newer state)."""
    from workflow.models import DisclosureItem

    item = DisclosureItem.objects.select_related("department", "created_by").filter(pk=item_id).first()
    if item is None or item.state != state or item.version != version:
        return []
    if state == State.RETURNED:
        return returned(item, comment)
    return task_arrived(item, exclude={actor_id} if actor_id else ())
