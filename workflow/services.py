"""Every change to a disclosure item: check (permission, state, separation of duties), change the
rows, append the history step and exactly one audit event, all in one transaction; then move the
viewflow process on, announce the decision (workflow.signals.item_decided: records listens) and
notify people after commit. Pages, API, admin, commands and Celery jobs call these.

The commands take typed values: workflow.params reads what people send (the API and the pages
both use it). What each transition does — who, from where, to where, what it needs, who hears, which
record — is one row of workflow.transitions.TABLE, and `perform` carries it out.

Errors: django.core.exceptions.PermissionDenied (403), core.exceptions.StateConflict (409),
django.core.exceptions.ValidationError with a field → messages dict (400).

Queues (inbox, visible items) and the periodic scan are in workflow.queues.
"""

import copy
import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from audit.display import person
from audit.services import record
from core.exceptions import StateConflict
from policies.access import acting_for, can, deputy_for, is_office, members
from policies.models import Role
from policies.roles import DEPARTMENT_PERMISSIONS
from workflow import notify, rules
from workflow.content import ContentError, check_upload
from workflow.flows import DisclosureFlow, routing
from workflow.params import EDITABLE_FIELDS, missing, raise_errors
from workflow.models import (
    Attachment,
    DisclosureItem,
    DisclosureProcess,
    DisclosureTask,
    ItemVersion,
    Notification,
    State,
    Step,
)
from workflow.signals import item_decided
from workflow.tasks import publish_item
from workflow.transitions import ROLE_FOR_PERMISSION, STAGES, TABLE
from workflow.workdays import disclosure_deadline

__all__ = [
    "create_item", "edit_item", "add_attachment", "remove_attachment", "perform", "submit", "approve",
    "return_item", "clear", "clear_with_redactions", "refuse", "publish", "withdraw", "correct",
    "complete_publication", "schedule_publication", "process_of", "open_task", "mark_read", "reassign",
    "EDITABLE_FIELDS",
]


def _item_state(item):
    """What an audit event's before/after digests cover."""
    return {
        "state": item.state,
        "version": item.version,
        "title": item.title,
        "body": ItemVersion.content_hash(item.title, item.body),
        "department": item.department.code,
        "catalogue_entry": item.catalogue_entry.code,
        "produced_on": item.produced_on.isoformat(),
        "due_on": item.due_on.isoformat(),
        "channels": ",".join(item.channels or []),
        "flags": f"policy={int(item.is_policy_document)},major={int(item.is_major)},secret={int(item.touches_state_secret)}",
        "refusal_ground": item.refusal_ground,
        "publish_at": item.publish_at.isoformat() if item.publish_at else "",
        "published_at": item.published_at.isoformat() if item.published_at else "",
        "supersedes": item.supersedes_id or 0,
    }


def _locked(item):
    """The item re-read under a row lock: concurrent actions on one item queue here, and the
    second one sees the state the first left (→ StateConflict)."""
    return (
        DisclosureItem.objects.select_for_update(of=("self",))
        .select_related("department", "catalogue_entry", "created_by")
        .get(pk=item.pk if isinstance(item, DisclosureItem) else item)
    )


def _step(item, *, actor, action, before_state, role="", comment="", data=None):
    return Step.objects.create(
        item=item,
        version=item.version,
        actor=actor,
        role=role,
        action=action,
        state_before=before_state,
        state_after=item.state,
        comment=comment,
        data=data or {},
    )


def _audit(item, action, *, actor, before, data=None, event=""):
    record(
        event or f"disclosure.{action}",
        actor=actor,
        obj=item,
        version=item.version,
        department=item.department.code,
        before=before,
        after=_item_state(item),
        data=data,
    )


def _save(item, fields):
    item.updated_at = timezone.now()
    item.save(update_fields=[*fields, "updated_at"])


def mark_read(notifications, *, actor):
    """The actor has read these notifications of theirs."""
    Notification.objects.filter(pk__in=[n.pk for n in notifications], user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# ---------------------------------------------------------------------------------------------
# The viewflow process


def process_of(item):
    return DisclosureProcess.objects.filter(
        artifact_content_type__app_label="workflow",
        artifact_content_type__model="disclosureitem",
        artifact_object_id=item.pk,
    ).first()


def open_task(item):
    """The item's waiting viewflow task (None once the process has ended)."""
    return (
        DisclosureTask.objects.filter(
            process__artifact_content_type=ContentType.objects.get_for_model(DisclosureItem),
            process__artifact_object_id=item.pk,
            status=STATUS.NEW,
        )
        .select_related("process")
        .order_by("-created")
        .first()
    )


def _advance(item):
    """Complete the item's open viewflow task; the flow routes on the item's new state."""
    task = open_task(item)
    with routing(item):
        if task is None:
            if process_of(item) is None:  # an item from before the flow existed: start one where it stands
                DisclosureFlow.start.run(item=item)
            return
        task.flow_task.run(task)


# ---------------------------------------------------------------------------------------------
# Drafting


def _new_item(*, actor, entry, fields, supersedes=None):
    due_on, provisional = disclosure_deadline(fields["produced_on"])
    item = DisclosureItem.objects.create(
        catalogue_entry=entry,
        department=entry.department,
        created_by=actor,
        due_on=due_on,
        deadline_provisional=provisional,
        supersedes=supersedes,
        **fields,
    )
    with routing(item):
        DisclosureFlow.start.run(item=item)
    return item


@transaction.atomic
def create_item(*, actor, catalogue_entry, **fields):
    """A new draft from a catalogue entry of a department where `actor` drafts items. `fields` are
    typed editable fields (workflow.params.new_item reads them); title and production date are
    required."""
    entry = catalogue_entry
    if not can(actor, "draft_items", entry.department):
        raise PermissionDenied(_("You may draft items only for your own department's catalogue entries."))
    errors = {}
    if not entry.applicable or not entry.active:
        errors["catalogue_entry"] = [_("This catalogue entry does not apply to the school (不适用).")]
    for field in ("title", "produced_on"):
        if fields.get(field) in (None, ""):
            errors.setdefault(field, []).append(_("This field is required."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        errors["non_field_errors"] = [_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}]
    raise_errors(errors)
    item = _new_item(actor=actor, entry=entry, fields=fields)
    _step(item, actor=actor, action=Step.Action.CREATE, before_state="", role="liaison")
    _audit(item, "create", actor=actor, before=None, data={"catalogue_entry": entry.code})
    return item


def _apply_edit(item, fields, *, actor, role):
    """Write changed fields with their history step and event; returns the changed field names."""
    changed = [f for f, v in fields.items() if getattr(item, f) != v]
    if not changed:
        return []
    before = _item_state(item)
    for field in changed:
        setattr(item, field, fields[field])
    edited = sorted(changed)
    if "produced_on" in changed:
        item.due_on, item.deadline_provisional = disclosure_deadline(item.produced_on)
        changed += ["due_on", "deadline_provisional"]
    _save(item, changed)
    _step(item, actor=actor, action=Step.Action.EDIT, before_state=item.state, role=role, data={"fields": edited})
    _audit(item, "edit", actor=actor, before=before, data={"fields": ",".join(edited)})
    return edited


@transaction.atomic
def edit_item(item, *, actor, **fields):
    """Change the draft (only while draft or returned) with typed fields (workflow.params.item_changes).
    Recomputes the deadline when the production date changes. A call that changes nothing writes
    nothing."""
    item = _locked(item)
    rules.check(item, actor, "edit")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise_errors({"non_field_errors": [_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))}]})
    if "title" in fields and not fields["title"]:
        raise_errors({"title": [_("A title is required.")]})
    _apply_edit(item, fields, actor=actor, role="liaison")
    return item


@transaction.atomic
def add_attachment(item, *, actor, uploaded_file):
    """Attach a file (typed by its content, size-limited, stored under its hash outside the web root)."""
    item = _locked(item)
    rules.check(item, actor, "edit")
    if uploaded_file is None:
        raise_errors({"file": [_("Choose a file.")]})
    try:
        content_type, size, sha256 = check_upload(uploaded_file)
    except ContentError as error:
        raise_errors({"file": [str(error)]})
    name = (uploaded_file.name or "file").replace("/", "_").replace("\\", "_")[-255:]
    attachment = Attachment(
        item=item, original_name=name, content_type=content_type, size=size, sha256=sha256, uploaded_by=actor
    )
    existing = Attachment.objects.filter(sha256=sha256).exclude(file="").first()
    if existing and existing.file.storage.exists(existing.file.name):
        attachment.file.name = existing.file.name  # same content already stored
    else:
        attachment.file.save(sha256, uploaded_file, save=False)
    attachment.save()
    before = _item_state(item)
    _save(item, [])
    _step(item, actor=actor, action=Step.Action.ATTACH, before_state=item.state, role="liaison",
          data={"attachment": attachment.pk, "name": name, "sha256": sha256})
    _audit(item, "attach", actor=actor, before=before,
           data={"attachment": attachment.pk, "name": name, "sha256": sha256, "size": size})
    return attachment


@transaction.atomic
def remove_attachment(attachment, *, actor):
    """Take a file off the draft (the row stays, marked removed; versions keep their hashes)."""
    item = _locked(attachment.item_id)
    rules.check(item, actor, "edit")
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.removed_at:
        return attachment
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    before = _item_state(item)
    _save(item, [])
    _step(item, actor=actor, action=Step.Action.DETACH, before_state=item.state, role="liaison",
          data={"attachment": attachment.pk, "name": attachment.original_name})
    _audit(item, "detach", actor=actor, before=before, data={"attachment": attachment.pk, "sha256": attachment.sha256})
    return attachment


# ---------------------------------------------------------------------------------------------
# Transitions: one function carries out any row of workflow.transitions.TABLE


def _freeze_version(item, actor, params, errors):
    """submit: the title and body must be there; a new version is frozen with its hash."""
    if not item.title.strip():
        errors["title"] = [_("A title is required.")]
    if not item.body.strip():
        errors["body"] = [_("The body is empty.")]
    if errors:
        return None
    item.version += 1
    sha256 = ItemVersion.content_hash(item.title, item.body)
    attachments = list(item.attachments.filter(removed_at__isnull=True).values_list("sha256", "original_name"))
    ItemVersion.objects.create(
        item=item, number=item.version, title=item.title, body=item.body, sha256=sha256, submitted_by=actor,
        data={
            "produced_on": item.produced_on.isoformat(),
            "channels": item.channels,
            "attachments": [{"sha256": s, "name": n} for s, n in attachments],
            "is_policy_document": item.is_policy_document,
            "is_major": item.is_major,
            "touches_state_secret": item.touches_state_secret,
        },
    )
    return ["version"], {"sha256": sha256}, {}


def _record_ground(item, actor, params, errors):
    """refuse: the ground is kept on the item."""
    item.refusal_ground = params["ground"]
    return ["refusal_ground"], {"ground": item.refusal_ground}, {"ground": item.refusal_ground}


PUBLISH_AHEAD_MAX = datetime.timedelta(days=366)


def _choose_publication(item, actor, params, errors):
    """publish: the channels (the portal always) and the time; a policy document needs its
    interpretation first."""
    channels = params.get("channels")
    chosen = item.channels if channels is None else channels
    when = params.get("publish_at")
    if when is not None and when < timezone.now() - datetime.timedelta(minutes=5):
        errors.setdefault("publish_at", []).append(_("The time is in the past."))
    elif when is not None and when > timezone.now() + PUBLISH_AHEAD_MAX:
        # Nothing undoes a scheduled publication, so a mistyped year would hold the item for
        # years; and a time near year 9999 cannot even be shown in local time.
        errors.setdefault("publish_at", []).append(_("A publication can be scheduled at most a year ahead."))
    if item.is_policy_document and not (item.interpretation_id or item.interpretation_url):
        errors.setdefault("non_field_errors", []).append(
            _("An important policy document needs its policy interpretation (政策解读) linked before publication.")
        )
    if errors:
        return None
    item.channels = ["portal"] + [c for c in chosen if c != "portal"]
    item.publish_at = when
    at = when.isoformat() if when else ""
    return (["channels", "publish_at"], {"channels": ",".join(item.channels), "publish_at": at},
            {"channels": item.channels, "publish_at": at or None})


def _take_down(item, actor, params, errors):
    """withdraw: the reason and time are kept on the item."""
    item.withdrawn_reason = params["comment"]
    item.withdrawn_at = timezone.now()
    return ["withdrawn_reason", "withdrawn_at"], {}, {}


def _mark_published(item, actor, params, errors):
    item.published_at = timezone.now()
    return ["published_at"], {"channels": ",".join(item.channels)}, {"channels": item.channels}


def _note_correction(item, actor, params, errors):
    return [], {"correction": params["correction"].pk}, {"correction": params["correction"].pk}


# What a transition does besides changing the state: (item, actor, params, errors) → (fields saved,
# audit data, history data), or None after adding to `errors`.
EFFECTS = {
    "submit": _freeze_version,
    "refuse": _record_ground,
    "publish": _choose_publication,
    "withdraw": _take_down,
    "published": _mark_published,
    "supersede": _note_correction,
}


def _carry_out(item, action, *, actor, params):
    """The shared body of every transition (the item is locked; `actor` None = the system)."""
    transition = TABLE[action]
    codename = rules.check(item, actor, action) if actor is not None else ""
    errors = missing(transition, params, {})
    effect = EFFECTS.get(action)
    before = _item_state(item)
    before_state = item.state
    outcome = effect(item, actor, params, errors) if effect else ([], {}, {})
    raise_errors(errors)
    fields, event_data, step_data = outcome
    principals = _principals(item, actor, codename)
    if principals:  # acting as a deputy: both people go into the history and the audit event
        step_data = {**step_data, "on_behalf_of": [p.pk for p in principals]}
        event_data = {**event_data, "on_behalf_of": ",".join(p.get_username() for p in principals)}
    item.state = transition.target(item)
    if item.state != before_state and item.assigned_to_id:
        item.assigned_to = None  # an assignment is for one step
        fields = [*fields, "assigned_to"]
    comment = params.get("comment", "")
    item.pending_notice = notify.owed(transition, actor=actor, comment=comment)
    _save(item, ["state", "pending_notice", *fields])
    name = transition.step_action or action
    _step(item, actor=actor, action=name, before_state=before_state, role=ROLE_FOR_PERMISSION.get(codename, ""),
          comment=comment, data=step_data)
    _audit(item, name, actor=actor, before=before, event=transition.event,
           data={**({"comment": comment} if comment else {}), **event_data})
    _advance(item)
    item_decided.send(sender=DisclosureItem, item=item, transition=transition, actor=actor)
    notify.after_transition(item)
    return item


def _principals(item, actor, codename):
    """Whose deputy `actor` is when the permission `codename` comes to them only by delegation (the
    person the office assigned the task to, if they are one of them); [] when they act in their own right."""
    if actor is None or not codename:
        return []
    ids = acting_for(actor, codename, item.department)
    if item.assigned_to_id and item.assigned_to_id != actor.pk and item.assigned_to_id in deputy_for(
            actor, codename, item.department):
        ids = {item.assigned_to_id}  # the task was given to the person they deputise for
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk")) if ids else []


@transaction.atomic
def perform(item, action, *, actor, **params):
    """Carry out a person's action (an `api` row of workflow.transitions.TABLE) with typed
    `params` (workflow.params.action_params reads them). Returns the item (for `correct`, the new
    correction)."""
    transition = TABLE.get(action)
    if transition is None or not transition.api:
        raise ValidationError({"action": [_("Unknown action.")]})
    if action == "correct":
        return correct(item, actor=actor, **params)
    unknown = set(params) - set(transition.accepts)
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}]})
    params["comment"] = (params.get("comment") or "").strip()
    item = _carry_out(_locked(item), action, actor=actor, params=params)
    if action == "publish" and (item.publish_at is None or item.publish_at <= timezone.now()):
        schedule_publication(item)
    return item


# Effects that only set fields on the item they are given (or none): check_action runs them on a copy.
_EFFECTS_WITHOUT_WRITES = {"refuse", "publish", "withdraw", "discard"}


def check_action(item, action, *, actor, **params):
    """Would `perform` accept this now? Raises what it would (PermissionDenied, StateConflict,
    ValidationError) and changes nothing: the confirmation step before a decision that cannot be
    undone asks this, and `perform` asks again when the decision is confirmed."""
    if action not in _EFFECTS_WITHOUT_WRITES:
        raise ValueError(f"{action} cannot be checked without writing")
    transition = TABLE[action]
    rules.check(item, actor, action)
    params = {**params, "comment": (params.get("comment") or "").strip()}
    errors = missing(transition, params, {})
    if action in EFFECTS:
        EFFECTS[action](copy.copy(item), actor, params, errors)
    raise_errors(errors)


# The actions by name, for code that reads better that way.
def submit(item, *, actor, comment=""):
    """Freeze a new version and send it to the department head."""
    return perform(item, "submit", actor=actor, comment=comment)


def approve(item, *, actor, comment=""):
    """Head approval (→ confidentiality review) or the leading group's (→ office)."""
    return perform(item, "approve", actor=actor, comment=comment)


def return_item(item, *, actor, comment):
    """Back to the liaison for revision, with a required comment."""
    return perform(item, "return", actor=actor, comment=comment)


def clear(item, *, actor, comment=""):
    """Confidentiality cleared (by the managing department's reviewer, or the secrecy office)."""
    return perform(item, "clear", actor=actor, comment=comment)


def clear_with_redactions(item, *, actor, comment):
    """Cleared on condition of redactions: back to the liaison with the instructions (required)."""
    return perform(item, "redact", actor=actor, comment=comment)


def refuse(item, *, actor, ground, comment):
    """Not to be disclosed (不予公开), with a ground from the fixed list and a comment."""
    return perform(item, "refuse", actor=actor, ground=ground, comment=comment)


def publish(item, *, actor, channels=None, publish_at=None, comment=""):
    """The office approves publication on the chosen channels (the portal always), now or at
    `publish_at` (an aware datetime). The Celery job `workflow.tasks.publish_item` completes it."""
    return perform(item, "publish", actor=actor, channels=channels, publish_at=publish_at, comment=comment)


def withdraw(item, *, actor, comment):
    """Take a published item down (reason required); it stays in the history."""
    return perform(item, "withdraw", actor=actor, comment=comment)


def schedule_publication(item):
    pk = item.pk
    # robust: a failing job (or broker) is logged, never turned into an error for the office.
    transaction.on_commit(lambda: publish_item.delay(pk), robust=True)


@transaction.atomic
def complete_publication(item_id):
    """Run by the publication job: publish the item if it is due. Idempotent: an item already
    published (or no longer publishing) is left as it is. Returns True if it published now."""
    item = _locked(item_id)
    if item.state != State.PUBLISHING:
        return False
    if item.publish_at and item.publish_at > timezone.now():
        return False
    _carry_out(item, "published", actor=None, params={})
    if item.supersedes_id:
        original = _locked(item.supersedes_id)
        if original.state == State.PUBLISHED:
            _carry_out(original, "supersede", actor=None, params={"correction": item})
    return True


@transaction.atomic
def correct(item, *, actor, comment="", **changes):
    """Start a correction of a published item: a new draft (a copy, with any typed `changes`) that
    goes through the whole review again and supersedes the original when it is published.
    Returns the new item."""
    item = _locked(item)
    codename = rules.check(item, actor, "correct")
    if item.corrections.exclude(state__in=[State.REFUSED, State.WITHDRAWN, State.DISCARDED]).exists():
        raise StateConflict(_("A correction of this item is already under way."), state=item.state)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise_errors({"non_field_errors": [_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))}]})
    if "title" in changes and not changes["title"]:
        raise_errors({"title": [_("A title is required.")]})
    fields = {field: getattr(item, field) for field in EDITABLE_FIELDS}
    # The corrected information is produced now: its 20 working days start today.
    fields["produced_on"] = timezone.localdate()
    correction = _new_item(actor=actor, entry=item.catalogue_entry, fields=fields, supersedes=item)
    # The files come along (same stored content, found by hash); the liaison may change them.
    copied = [
        Attachment(item=correction, file=a.file.name, original_name=a.original_name, content_type=a.content_type,
                   size=a.size, sha256=a.sha256, uploaded_by=a.uploaded_by, uploaded_at=a.uploaded_at)
        for a in item.attachments.filter(removed_at__isnull=True)
    ]
    Attachment.objects.bulk_create(copied)
    role = ROLE_FOR_PERMISSION.get(codename, "")
    _step(correction, actor=actor, action=Step.Action.CORRECT, before_state="", role=role,
          comment=comment, data={"supersedes": item.pk})
    _step(item, actor=actor, action=Step.Action.CORRECT, before_state=item.state, role=role,
          comment=comment, data={"correction": correction.pk})
    data = {"supersedes": item.pk, "attachments": len(copied)}
    if comment:
        data["comment"] = comment
    _audit(correction, "correct", actor=actor, before=None, data=data)
    # Changes given with the request are the corrector's edit of the new draft (whoever may
    # correct may shape the correction: the office holds no drafting permission).
    _apply_edit(correction, changes, actor=actor, role=role)
    return correction


# ---------------------------------------------------------------------------------------------
# Reassignment


def reassign_candidates(item, user):
    """Who the office (`user`) could give the item's current task to now: the other holders of the
    step's department role. Empty for anyone else or when no department role acts. The item page's
    choices and the API's `reassign` action both read it."""
    stage = STAGES.get(item.state)
    if stage is None or stage.role not in DEPARTMENT_PERMISSIONS or not is_office(user):
        return []
    return [p for p in members(item.department, stage.role) if p.pk != item.assigned_to_id]


@transaction.atomic
def reassign(item, *, to, actor, comment=""):
    """The office gives the task of the item's current step to `to`, who must hold that step's role
    in the item's department (and may decide on it: separation of duties). From then until the
    step is done, only `to` (or their deputy) acts there. The new holder is notified."""
    item = _locked(item)
    if not is_office(actor):
        raise PermissionDenied(_("Only the disclosure office may reassign tasks."))
    stage = STAGES.get(item.state)
    if stage is None or stage.role not in DEPARTMENT_PERMISSIONS:
        raise StateConflict(
            _("The item is “%(state)s”: no department role acts on it now.") % {"state": State(item.state).label},
            state=item.state,
        )
    role_label = Role(stage.role).label
    if to is None:
        raise_errors({"to": [_("Choose who takes the task.")]})
    if not members(item.department, stage.role).filter(pk=to.pk).exists():
        raise_errors({"to": [_("%(name)s is not a %(role)s of %(department)s.") % {
            "name": person(to), "role": role_label, "department": item.department.name}]})
    if to.pk == item.assigned_to_id:
        raise_errors({"to": [_("The task is already assigned to this person.")]})
    if item.state in rules.REVIEW_STATES:
        involvement = rules.Involvement(item)
        if to.pk in involvement.authors or involvement.stages.get(to.pk, set()) - {item.state}:
            raise_errors({"to": [_("%(name)s drafted this item or decided at another step of it, so may not decide here.") % {
                "name": person(to)}]})
    before = _item_state(item)
    previous = item.assigned_to
    item.assigned_to = to
    _save(item, ["assigned_to"])
    comment = (comment or "").strip()
    _step(item, actor=actor, action=Step.Action.REASSIGN, before_state=item.state, role="office", comment=comment,
          data={"to": to.pk, "from": previous.pk if previous else None})
    _audit(item, "reassign", actor=actor, before=before, data={
        "user": to.get_username(), "role": str(stage.role), **({"previous": previous.get_username()} if previous else {}),
        **({"comment": comment} if comment else {})})
    with translation.override(settings.LANGUAGE_CODE):  # the school's language, not the office's choice
        notify.notify([to], item, Notification.Kind.TASK, _("The office has given you a task: %(title)s (%(state)s, due %(due)s)") % {
            "title": item.title, "state": State(item.state).label, "due": item.due_on.isoformat()})
    return item


def tell_delegation_ended(sender, delegation, actor, **kwargs):
    """Tell a delegation's principal and deputy that it has ended (policies.signals.delegation_ended),
    except whoever ended it: the deputy's 代理 items leave their inbox. In the school's language."""
    with translation.override(settings.LANGUAGE_CODE):
        _tell_delegation_ended(delegation, actor)


def _tell_delegation_ended(delegation, actor):
    message = _("%(actor)s ended the delegation of %(principal)s's role (%(department)s · %(role)s) to %(deputy)s.") % {
        "actor": person(actor), "principal": person(delegation.principal),
        "department": delegation.department.name, "role": delegation.get_role_display(),
        "deputy": person(delegation.deputy)}
    notify.notify([u for u in (delegation.principal, delegation.deputy) if u.pk != actor.pk], None,
                  Notification.Kind.INFO, message, link="/accounts/deputies/")
