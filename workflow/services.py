"""Every change to a disclosure item: check (permission, state, separation of duties, input), change
the rows, append the history step and exactly one audit event, all in one transaction; then move the
viewflow process on and notify people. Pages, API, admin, commands and Celery jobs call these.

Errors: django.core.exceptions.PermissionDenied (403), workflow.exceptions.StateConflict (409),
django.core.exceptions.ValidationError with a field → messages dict (400).

Calls from other apps:
- records: `records.services.on_item_decided(item, kind)` is called here, inside the deciding
  transaction, when an item is published, refused or withdrawn.
- `perform(item, action, actor=..., **params)` dispatches the API's action names.
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from audit.services import record
from core import inputs
from gongkai.env import env_int
from policies.access import can, departments_where
from workflow import notify, rules
from workflow.content import ContentError, check_upload, clean_body
from workflow.exceptions import StateConflict
from workflow.flows import DisclosureFlow, routing
from workflow.models import (
    Attachment,
    CatalogueEntry,
    DisclosureItem,
    DisclosureProcess,
    DisclosureTask,
    ItemVersion,
    Notification,
    RefusalGround,
    State,
    Step,
)
from workflow.workdays import disclosure_deadline

EDITABLE_FIELDS = (
    "title",
    "body",
    "produced_on",
    "channels",
    "is_policy_document",
    "interpretation",
    "interpretation_url",
    "is_major",
    "touches_state_secret",
)
TITLE_MAX = DisclosureItem._meta.get_field("title").max_length
URL_MAX = DisclosureItem._meta.get_field("interpretation_url").max_length
COMMENT_MAX = 10000


def channel_codes():
    """The channel table's active codes (the office manages them in the admin)."""
    from portal.channels import accepted_codes

    return accepted_codes()


# ---------------------------------------------------------------------------------------------
# Reading and checking input


def _errors(errors):
    if errors:
        raise ValidationError({field: [str(m) for m in messages] for field, messages in errors.items()})


def _as_date(value, field, errors):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        parsed = parse_date(str(value)) if value not in (None, "") else None
    except ValueError:
        parsed = None
    if parsed is None:
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
    return parsed


def _as_bool(value, field, errors):
    if isinstance(value, bool):
        return value
    if value in ("true", "True", "1", 1, "on"):
        return True
    if value in ("false", "False", "0", 0, "", None, "off"):
        return False
    errors.setdefault(field, []).append(_("Must be true or false."))
    return False


def _as_channels(value, field, errors):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)):
        errors.setdefault(field, []).append(_("Give a list of channel codes."))
        return []
    known = channel_codes()
    unknown = [str(code) for code in value if code not in known]
    if unknown:
        errors.setdefault(field, []).append(_("Unknown channel: %(codes)s.") % {"codes": ", ".join(unknown)})
        return []
    return list(dict.fromkeys(value))  # keep order, drop duplicates


def _clean_fields(data, errors, *, actor, item=None):
    """Check and convert the editable fields present in `data`; returns {field: value}."""
    cleaned = {}
    for field in EDITABLE_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "title":
            try:
                value = inputs.clean_text(value, max_length=TITLE_MAX)
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
                continue
            if not value:
                errors.setdefault(field, []).append(_("A title is required."))
        elif field == "body":
            try:
                value = inputs.check_body_size(clean_body(inputs.clean_text(value, multiline=True)))
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
                continue
            except ContentError as error:
                errors.setdefault(field, []).append(str(error))
        elif field == "produced_on":
            value = _as_date(value, field, errors)
            if value and value > timezone.localdate():
                errors.setdefault(field, []).append(_("The information cannot have been produced in the future."))
        elif field == "channels":
            value = _as_channels(value, field, errors)
        elif field in ("is_policy_document", "is_major", "touches_state_secret"):
            value = _as_bool(value, field, errors)
        elif field == "interpretation":
            if value in (None, ""):
                value = None
            else:
                # Only an item the actor may see: a missing and a hidden id get the same answer.
                pk = inputs.as_id(value.pk if isinstance(value, DisclosureItem) else value)
                value = visible_items(actor).filter(pk=pk).first() if pk else None
                if value is None or (item is not None and value.pk == item.pk):
                    errors.setdefault(field, []).append(_("Unknown disclosure item."))
        elif field == "interpretation_url":
            try:
                value = inputs.clean_text(value, max_length=URL_MAX)
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
                continue
            if value and not value.startswith(("http://", "https://", "/")):
                errors.setdefault(field, []).append(_("Enter a web address (http:// or https://)."))
        cleaned[field] = value
    return cleaned


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


def _role(codename):
    return rules.ROLE_FOR_PERMISSION.get(codename, "")


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


def _audit(item, action, *, actor, before, data=None):
    record(
        f"disclosure.{action}",
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
    from django.contrib.contenttypes.models import ContentType
    from viewflow.workflow.status import STATUS

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


def _notify_new_state(item, actor, comment=""):
    """Notifications go out after the change commits (a Celery job; in-process without a broker),
    so the item's row lock is not held while recipients are looked up and mailed."""
    from workflow.tasks import notify_state

    args = (item.pk, item.state, item.version, actor.pk if actor else None, comment)
    transaction.on_commit(lambda: notify_state.delay(*args), robust=True)


def _records(item, kind):
    if apps.is_installed("records"):
        from records.services import on_item_decided

        on_item_decided(item, kind)


# ---------------------------------------------------------------------------------------------
# Drafting


@transaction.atomic
def create_item(*, actor, catalogue_entry, supersedes=None, **data):
    """A new draft from a catalogue entry of a department where `actor` drafts items."""
    errors = {}
    if supersedes is not None and not isinstance(supersedes, DisclosureItem):
        # Corrections start only through correct(), which checks the permission to correct.
        raise ValidationError({"supersedes": [_("A correction is started from the published item.")]})
    entry = catalogue_entry
    if not isinstance(entry, CatalogueEntry):
        entry = None
        if catalogue_entry in (None, ""):
            errors["catalogue_entry"] = [_("Choose a catalogue entry.")]
        elif inputs.as_id(catalogue_entry):
            entry = CatalogueEntry.objects.select_related("department").filter(pk=inputs.as_id(catalogue_entry)).first()
            if entry is None:
                errors["catalogue_entry"] = [_("Unknown catalogue entry.")]
        else:
            errors["catalogue_entry"] = [_("Unknown catalogue entry.")]
    if entry is not None and supersedes is None:
        if not can(actor, "draft_items", entry.department):
            raise PermissionDenied(_("You may draft items only for your own department's catalogue entries."))
        if not entry.applicable or not entry.active:
            errors["catalogue_entry"] = [_("This catalogue entry does not apply to the school (不适用).")]
    for field in ("title", "produced_on"):
        if data.get(field) in (None, ""):
            errors.setdefault(field, []).append(_("This field is required."))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        errors["non_field_errors"] = [_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}]
    cleaned = _clean_fields(data, errors, actor=actor)
    _errors(errors)

    due_on, provisional = disclosure_deadline(cleaned["produced_on"])
    item = DisclosureItem.objects.create(
        catalogue_entry=entry,
        department=entry.department,
        created_by=actor,
        due_on=due_on,
        deadline_provisional=provisional,
        supersedes=supersedes,
        **cleaned,
    )
    if supersedes is None:
        _step(item, actor=actor, action=Step.Action.CREATE, before_state="", role="liaison")
        _audit(item, "create", actor=actor, before=None, data={"catalogue_entry": entry.code})
    with routing(item):
        DisclosureFlow.start.run(item=item)
    return item


@transaction.atomic
def edit_item(item, *, actor, **data):
    """Change the draft (only while draft or returned). Recomputes the deadline when the production
    date changes. Returns the item; a call that changes nothing writes nothing."""
    item = _locked(item)
    rules.check(item, actor, "edit")
    errors = {}
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        errors["non_field_errors"] = [_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))}]
    cleaned = _clean_fields(data, errors, actor=actor, item=item)
    if "title" in cleaned and not cleaned["title"]:
        errors.setdefault("title", [_("A title is required.")])
    _errors(errors)
    changed = [f for f, v in cleaned.items() if getattr(item, f) != v]
    if not changed:
        return item
    before = _item_state(item)
    for field in changed:
        setattr(item, field, cleaned[field])
    if "produced_on" in changed:
        item.due_on, item.deadline_provisional = disclosure_deadline(item.produced_on)
        changed += ["due_on", "deadline_provisional"]
    _save(item, changed)
    _step(item, actor=actor, action=Step.Action.EDIT, before_state=item.state, role="liaison",
          data={"fields": sorted(set(changed) & set(EDITABLE_FIELDS))})
    _audit(item, "edit", actor=actor, before=before, data={"fields": ",".join(sorted(set(changed) & set(EDITABLE_FIELDS)))})
    return item


@transaction.atomic
def add_attachment(item, *, actor, uploaded_file):
    """Attach a file (typed by its content, size-limited, stored under its hash outside the web root)."""
    item = _locked(item)
    rules.check(item, actor, "edit")
    if uploaded_file is None:
        _errors({"file": [_("Choose a file.")]})
    try:
        content_type, size, sha256 = check_upload(uploaded_file)
    except ContentError as error:
        _errors({"file": [str(error)]})
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
# Decisions


def _comment(comment, *, required, errors):
    try:
        comment = inputs.clean_text(comment, multiline=True, max_length=COMMENT_MAX)
    except ValidationError as error:
        errors.setdefault("comment", []).extend(error.messages)
        return ""
    if required and not comment:
        errors.setdefault("comment", []).append(_("A comment is required."))
    return comment


def _transition(item, action, *, actor, target, comment, step_action=None, data=None, step_data=None, fields=()):
    """Shared tail of a decision: set the state, write step + event, advance the flow."""
    before = _item_state(item)
    before_state = item.state
    item.state = target
    _save(item, ["state", *fields])
    codename = rules.ACTIONS[action]
    role = next((_role(c) for states, c in codename if before_state in states), "")
    _step(item, actor=actor, action=step_action or action, before_state=before_state, role=role,
          comment=comment, data=step_data or {})
    event_data = {"comment": comment} if comment else {}
    event_data.update(data or {})
    _audit(item, step_action or action, actor=actor, before=before, data=event_data)
    _advance(item)
    return item


@transaction.atomic
def submit(item, *, actor, comment=""):
    """Freeze a new version and send it to the department head."""
    item = _locked(item)
    rules.check(item, actor, "submit")
    errors = {}
    comment = _comment(comment, required=False, errors=errors)
    if not item.title.strip():
        errors["title"] = [_("A title is required.")]
    if not item.body.strip():
        errors["body"] = [_("The body is empty.")]
    _errors(errors)
    item.version += 1
    attachments = list(item.attachments.filter(removed_at__isnull=True).values_list("sha256", "original_name"))
    ItemVersion.objects.create(
        item=item,
        number=item.version,
        title=item.title,
        body=item.body,
        sha256=ItemVersion.content_hash(item.title, item.body),
        submitted_by=actor,
        data={
            "produced_on": item.produced_on.isoformat(),
            "channels": item.channels,
            "attachments": [{"sha256": s, "name": n} for s, n in attachments],
            "is_policy_document": item.is_policy_document,
            "is_major": item.is_major,
            "touches_state_secret": item.touches_state_secret,
        },
    )
    _transition(item, "submit", actor=actor, target=State.HEAD_REVIEW, comment=comment, fields=["version"],
                data={"sha256": ItemVersion.content_hash(item.title, item.body)})
    _notify_new_state(item, actor)
    return item


def _after_confidentiality(item):
    if item.state == State.CONFIDENTIALITY_REVIEW and item.touches_state_secret:
        return State.SECRECY_REVIEW
    if item.is_major:
        return State.LEADER_REVIEW
    return State.OFFICE_REVIEW


@transaction.atomic
def approve(item, *, actor, comment=""):
    """Head approval (→ confidentiality review) or the leading group's (→ office)."""
    item = _locked(item)
    rules.check(item, actor, "approve")
    errors = {}
    comment = _comment(comment, required=False, errors=errors)
    _errors(errors)
    target = State.CONFIDENTIALITY_REVIEW if item.state == State.HEAD_REVIEW else State.OFFICE_REVIEW
    _transition(item, "approve", actor=actor, target=target, comment=comment)
    _notify_new_state(item, actor)
    return item


@transaction.atomic
def return_item(item, *, actor, comment):
    """Back to the liaison for revision, with a required comment."""
    item = _locked(item)
    rules.check(item, actor, "return")
    errors = {}
    comment = _comment(comment, required=True, errors=errors)
    _errors(errors)
    _transition(item, "return", actor=actor, target=State.RETURNED, comment=comment)
    _notify_new_state(item, actor, comment)
    return item


@transaction.atomic
def clear(item, *, actor, comment=""):
    """Confidentiality cleared (by the managing department's reviewer, or the secrecy office)."""
    item = _locked(item)
    rules.check(item, actor, "clear")
    errors = {}
    comment = _comment(comment, required=False, errors=errors)
    _errors(errors)
    _transition(item, "clear", actor=actor, target=_after_confidentiality(item), comment=comment)
    _notify_new_state(item, actor)
    return item


@transaction.atomic
def clear_with_redactions(item, *, actor, comment):
    """Cleared on condition of redactions: back to the liaison with the instructions (required)."""
    item = _locked(item)
    rules.check(item, actor, "redact")
    errors = {}
    comment = _comment(comment, required=True, errors=errors)
    _errors(errors)
    _transition(item, "redact", actor=actor, target=State.RETURNED, comment=comment,
                step_action=Step.Action.CLEAR_WITH_REDACTIONS)
    _notify_new_state(item, actor, comment)
    return item


@transaction.atomic
def refuse(item, *, actor, ground, comment):
    """Not to be disclosed (不予公开), with a ground from the fixed list and a comment."""
    item = _locked(item)
    rules.check(item, actor, "refuse")
    errors = {}
    comment = _comment(comment, required=True, errors=errors)
    if ground not in RefusalGround.values:
        errors["ground"] = [_("Choose a ground: %(grounds)s.") % {"grounds": ", ".join(RefusalGround.values)}]
    _errors(errors)
    item.refusal_ground = ground
    _transition(item, "refuse", actor=actor, target=State.REFUSED, comment=comment, fields=["refusal_ground"],
                data={"ground": ground}, step_data={"ground": ground})
    notify.decided(item, Notification.Kind.REFUSED, _("Not to be disclosed: %(title)s") % {"title": item.title})
    _records(item, "refusal")
    return item


def _as_datetime(value, errors):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value))
        except ValueError:
            parsed = None
        if parsed is None:
            errors.setdefault("publish_at", []).append(_("Enter a date and time (ISO 8601)."))
            return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@transaction.atomic
def publish(item, *, actor, channels=None, publish_at=None, comment=""):
    """The office approves publication on the chosen channels (the portal always), now or at
    `publish_at`. The Celery job `workflow.tasks.publish_item` completes it."""
    item = _locked(item)
    rules.check(item, actor, "publish")
    errors = {}
    comment = _comment(comment, required=False, errors=errors)
    chosen = _as_channels(item.channels if channels is None else channels, "channels", errors)
    when = _as_datetime(publish_at, errors)
    if when is not None and when < timezone.now() - datetime.timedelta(minutes=5):
        errors.setdefault("publish_at", []).append(_("The time is in the past."))
    if item.is_policy_document and not (item.interpretation_id or item.interpretation_url):
        errors.setdefault("non_field_errors", []).append(
            _("An important policy document needs its policy interpretation (政策解读) linked before publication.")
        )
    _errors(errors)
    item.channels = ["portal"] + [c for c in chosen if c != "portal"]
    item.publish_at = when
    _transition(item, "publish", actor=actor, target=State.PUBLISHING, comment=comment,
                fields=["channels", "publish_at"],
                data={"channels": ",".join(item.channels), "publish_at": when.isoformat() if when else ""},
                step_data={"channels": item.channels, "publish_at": when.isoformat() if when else None})
    if when is None or when <= timezone.now():
        schedule_publication(item)
    return item


def schedule_publication(item):
    from workflow.tasks import publish_item

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
    before = _item_state(item)
    item.state = State.PUBLISHED
    item.published_at = timezone.now()
    _save(item, ["state", "published_at"])
    _step(item, actor=None, action=Step.Action.PUBLISHED, before_state=State.PUBLISHING,
          data={"channels": item.channels})
    _audit(item, "published", actor=None, before=before, data={"channels": ",".join(item.channels)})
    _advance(item)
    if item.supersedes_id:
        _supersede(item.supersedes_id, item)
    notify.decided(item, Notification.Kind.PUBLISHED, _("Published: %(title)s") % {"title": item.title})
    _records(item, "publication")
    return True


def _supersede(original_id, correction):
    original = _locked(original_id)
    if original.state != State.PUBLISHED:
        return
    before = _item_state(original)
    original.state = State.SUPERSEDED
    _save(original, ["state"])
    _step(original, actor=None, action=Step.Action.SUPERSEDED, before_state=State.PUBLISHED,
          data={"correction": correction.pk})
    _audit(original, "supersede", actor=None, before=before, data={"correction": correction.pk})


@transaction.atomic
def withdraw(item, *, actor, comment):
    """Take a published item down (reason required); it stays in the history."""
    item = _locked(item)
    rules.check(item, actor, "withdraw")
    errors = {}
    comment = _comment(comment, required=True, errors=errors)
    _errors(errors)
    before = _item_state(item)
    item.state = State.WITHDRAWN
    item.withdrawn_reason = comment
    item.withdrawn_at = timezone.now()
    _save(item, ["state", "withdrawn_reason", "withdrawn_at"])
    _step(item, actor=actor, action=Step.Action.WITHDRAW, before_state=State.PUBLISHED, role="office", comment=comment)
    _audit(item, "withdraw", actor=actor, before=before, data={"comment": comment})
    _records(item, "withdrawal")
    return item


@transaction.atomic
def correct(item, *, actor, comment="", **changes):
    """Start a correction of a published item: a new draft (a copy, with any `changes`) that goes
    through the whole review again and supersedes the original when it is published.
    Returns the new item."""
    item = _locked(item)
    codename = rules.check(item, actor, "correct")
    errors = {}
    comment = _comment(comment, required=False, errors=errors)
    if item.corrections.exclude(state__in=[State.REFUSED, State.WITHDRAWN]).exists():
        raise StateConflict(_("A correction of this item is already under way."), state=item.state)
    _errors(errors)
    copy = {field: getattr(item, field) for field in EDITABLE_FIELDS}
    copy["interpretation"] = item.interpretation
    # The corrected information is produced now: its 20 working days start today.
    copy["produced_on"] = timezone.localdate()
    correction = create_item(actor=actor, catalogue_entry=item.catalogue_entry, supersedes=item, **copy)
    # The files come along (same stored content, found by hash); the liaison may change them.
    copied = [
        Attachment(item=correction, file=a.file.name, original_name=a.original_name, content_type=a.content_type,
                   size=a.size, sha256=a.sha256, uploaded_by=a.uploaded_by, uploaded_at=a.uploaded_at)
        for a in item.attachments.filter(removed_at__isnull=True)
    ]
    Attachment.objects.bulk_create(copied)
    _step(correction, actor=actor, action=Step.Action.CORRECT, before_state="", role=_role(codename),
          comment=comment, data={"supersedes": item.pk})
    _step(item, actor=actor, action=Step.Action.CORRECT, before_state=item.state, role=_role(codename),
          comment=comment, data={"correction": correction.pk})
    data = {"supersedes": item.pk, "attachments": len(copied)}
    if comment:
        data["comment"] = comment
    _audit(correction, "correct", actor=actor, before=None, data=data)
    if changes:
        correction = edit_item(correction, actor=actor, **changes)
    return correction


# ---------------------------------------------------------------------------------------------
# One entry point for the API and the pages


def perform(item, action, *, actor, comment="", ground=None, channels=None, publish_at=None, **changes):
    """Run the named action (rules.TRANSITIONS). Returns the resulting item (for `correct`, the
    new correction)."""
    if action == "submit":
        return submit(item, actor=actor, comment=comment)
    if action == "approve":
        return approve(item, actor=actor, comment=comment)
    if action == "return":
        return return_item(item, actor=actor, comment=comment)
    if action == "clear":
        return clear(item, actor=actor, comment=comment)
    if action == "redact":
        return clear_with_redactions(item, actor=actor, comment=comment)
    if action == "refuse":
        return refuse(item, actor=actor, ground=ground, comment=comment)
    if action == "publish":
        return publish(item, actor=actor, channels=channels, publish_at=publish_at, comment=comment)
    if action == "withdraw":
        return withdraw(item, actor=actor, comment=comment)
    if action == "correct":
        return correct(item, actor=actor, comment=comment, **changes)
    raise ValidationError({"action": [_("Unknown action.")]})


available_actions = rules.available_actions


# ---------------------------------------------------------------------------------------------
# Queues and reminders


def visible_items(user):
    """Items the user may see: their departments' (view_items), all for school-wide roles."""
    return DisclosureItem.objects.filter(department__in=departments_where(user, "view_items"))


def task_items(user):
    """Items waiting for this user to act, due soonest first (separation of duties applied)."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for state, codename in notify.ACTOR_PERMISSION.items():
        departments = departments_where(user, codename)
        condition |= Q(state=state, department__in=departments)
    candidates = (
        DisclosureItem.objects.filter(condition)
        .select_related("department", "catalogue_entry")
        .order_by("due_on", "id")
    )
    memo, waiting = {}, []
    for item in candidates:
        item.available_actions = rules.available_actions(item, user, memo)
        if item.available_actions:
            waiting.append(item)
    return waiting


def mark_read(notifications, *, actor):
    Notification.objects.filter(pk__in=[n.pk for n in notifications], user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Assignees are reminded this many working days before the due date (WORKFLOW_REMIND_WORKING_DAYS).
REMIND_WORKING_DAYS = env_int("WORKFLOW_REMIND_WORKING_DAYS", 3)


def scan_due(today=None):
    """Periodic: publish scheduled items that are due; remind assignees when a deadline is near;
    past it, tell the assignees, the department head and the office. Each notice is sent once per
    item, step and version. Returns counts."""
    from workflow.tasks import publish_item
    from workflow.workdays import working_days_between

    today = today or timezone.localdate()
    counts = {"published": 0, "reminded": 0, "escalated": 0}
    due_publications = DisclosureItem.objects.filter(state=State.PUBLISHING, publish_at__lte=timezone.now())
    for pk in due_publications.values_list("pk", flat=True):
        publish_item.delay(pk)
        counts["published"] += 1

    horizon = today + datetime.timedelta(days=2 * REMIND_WORKING_DAYS + 10)
    open_items = list(
        DisclosureItem.objects.filter(state__in=list(notify.ACTOR_PERMISSION), due_on__lte=horizon).select_related(
            "department", "created_by"
        )
    )

    def key_for(item):
        kind = "overdue" if item.due_on < today else "due"
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
            if item.due_on < today:
                users = {u.pk: u for u in notify.assignees(item)}
                for extra in list(notify.users_with("approve_items", item.department)) + list(
                    notify.users_with("publish_items", item.department)
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
