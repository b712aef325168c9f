"""Requests for information, complaints and evaluations. Each change is checked, written and
audited in one transaction. Errors: PermissionDenied, ValidationError (field → messages),
workflow.exceptions.StateConflict when the request's status does not allow the step."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from foi.models import Complaint, Evaluation, InformationRequest
from gongkai.env import env_int
from workflow.exceptions import StateConflict
from workflow.models import RefusalGround
from workflow.workdays import add_working_days, working_days_between

# rules.md: reply within 15 working days of receipt; up to 15 more with the office head's approval.
REPLY_WORKING_DAYS = env_int("FOI_REPLY_WORKING_DAYS", 15)
MAX_EXTENSION_WORKING_DAYS = env_int("FOI_MAX_EXTENSION_WORKING_DAYS", 15)

Status, Outcome = InformationRequest.Status, InformationRequest.Outcome
PAUSED = (Status.AWAITING_CORRECTION, Status.AWAITING_THIRD_PARTY)


def may_manage(user):
    """The disclosure office handles requests, complaints and evaluations."""
    return user.is_authenticated and user.is_active and user.has_perm("policies.publish_items")


def may_view(user):
    return may_manage(user) or (
        user.is_authenticated
        and user.is_active
        and (user.has_perm("policies.view_audit") or user.has_perm("policies.approve_major_items"))
    )


def _require_manager(actor):
    if not may_manage(actor):
        raise PermissionDenied(_("Only the disclosure office handles requests for information."))


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _state(req):
    return {
        "number": req.number,
        "status": req.status,
        "due_on": req.due_on.isoformat(),
        "extended_days": req.extended_days,
        "paused_working_days": req.paused_working_days,
        "outcome": req.outcome,
        "refusal_ground": req.refusal_ground,
        "answered_on": req.answered_on.isoformat() if req.answered_on else None,
    }


def _set_due(req):
    days = REPLY_WORKING_DAYS + req.extended_days + req.paused_working_days
    req.due_on, req.deadline_provisional = add_working_days(req.received_on, days)


def _log(action, req, actor, before, **data):
    record(
        action,
        actor=actor,
        obj=req,
        department=req.department.code if req.department_id else "",
        before=before,
        after=_state(req),
        data={k: v for k, v in data.items() if v not in (None, "")},
    )


def _next_number(year):
    prefix = f"{year}-"
    taken = InformationRequest.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


@transaction.atomic
def receive(
    *,
    actor,
    received_on,
    applicant_name,
    applicant_kind,
    contact,
    description,
    form_wanted=InformationRequest.Form.EMAIL,
    delivery=InformationRequest.Delivery.ONLINE,
    about_own_information=False,
    identity_checked=False,
    department=None,
):
    """Register a request as received; its reply is due 15 working days later."""
    _require_manager(actor)
    errors = {}
    for field, value in (("applicant_name", applicant_name), ("contact", contact), ("description", description)):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    if received_on is None:
        errors["received_on"] = [_("This field is required.")]
    elif received_on > timezone.localdate():
        errors["received_on"] = [_("A request cannot be received in the future.")]
    if applicant_kind not in InformationRequest.ApplicantKind.values:
        errors["applicant_kind"] = [_("Choose natural person or organisation.")]
    if about_own_information and not identity_checked:
        errors["identity_checked"] = [_("A request about one's own personal information needs a valid identity document.")]
    _raise(errors)
    req = InformationRequest(
        number=_next_number(received_on.year),
        received_on=received_on,
        applicant_name=applicant_name.strip(),
        applicant_kind=applicant_kind,
        contact=contact.strip(),
        description=description.strip(),
        form_wanted=form_wanted,
        delivery=delivery,
        about_own_information=about_own_information,
        identity_checked=identity_checked,
        department=department,
        created_by=actor,
    )
    _set_due(req)
    req.save()
    _log("foi.request.receive", req, actor, None, received_on=received_on.isoformat())
    return req


@transaction.atomic
def pause(req, *, actor, waiting_for, note, on=None):
    """Stop the clock while waiting for the applicant's correction (补正) or a third party's opinion."""
    _require_manager(actor)
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != Status.OPEN:
        raise StateConflict(_("Only a request being handled can wait."), state=req.status)
    statuses = {"correction": Status.AWAITING_CORRECTION, "third_party": Status.AWAITING_THIRD_PARTY}
    errors = {}
    if waiting_for not in statuses:
        errors["waiting_for"] = [_("Choose correction or third party.")]
    if not (note or "").strip():
        errors["note"] = [_("Say what is asked for.")]
    _raise(errors)
    before = _state(req)
    req.status = statuses[waiting_for]
    req.paused_since = on or timezone.localdate()
    req.save()
    _log("foi.request.pause", req, actor, before, waiting_for=waiting_for, note=note.strip())
    return req


@transaction.atomic
def resume(req, *, actor, on=None):
    """The correction or opinion has arrived: the clock runs again and the due date moves."""
    _require_manager(actor)
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if req.status not in PAUSED:
        raise StateConflict(_("The request is not waiting."), state=req.status)
    before = _state(req)
    on = on or timezone.localdate()
    req.paused_working_days += max(0, working_days_between(req.paused_since, on))
    req.paused_since = None
    req.status = Status.OPEN
    _set_due(req)
    req.save()
    _log("foi.request.resume", req, actor, before)
    return req


@transaction.atomic
def extend(req, *, actor, days, reason):
    """Extend the reply deadline once, by at most 15 working days, with a reason the applicant is told."""
    _require_manager(actor)
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if req.status == Status.CLOSED:
        raise StateConflict(_("The request has been answered."), state=req.status)
    if req.extended_days:
        raise StateConflict(_("The deadline has already been extended once."), state=req.status)
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_WORKING_DAYS:
        errors["days"] = [_("Between 1 and %(max)d working days.") % {"max": MAX_EXTENSION_WORKING_DAYS}]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason the applicant will be told.")]
    _raise(errors)
    before = _state(req)
    req.extended_days = days
    req.extension_reason = reason.strip()
    _set_due(req)
    req.save()
    _log("foi.request.extend", req, actor, before, days=days, reason=reason.strip())
    return req


@transaction.atomic
def answer(req, *, actor, outcome, answer, refusal_ground="", referred_to="", on=None):
    """Close the request with its outcome. Refusals (full or partial) name their ground."""
    _require_manager(actor)
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if req.status == Status.CLOSED:
        raise StateConflict(_("The request has already been answered."), state=req.status)
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome.")]
    if outcome in (Outcome.REFUSED, Outcome.PARTIAL) and refusal_ground not in RefusalGround.values:
        errors["refusal_ground"] = [_("A refusal names its ground.")]
    if outcome == Outcome.UNCLEAR and req.status != Status.AWAITING_CORRECTION:
        errors["outcome"] = [_("Only a request whose correction was asked for can lapse as unclear.")]
    if not (answer or "").strip():
        errors["answer"] = [_("Write the answer sent to the applicant.")]
    _raise(errors)
    before = _state(req)
    on = on or timezone.localdate()
    if req.status in PAUSED and outcome != Outcome.UNCLEAR:
        req.paused_working_days += max(0, working_days_between(req.paused_since, on))
        _set_due(req)
    req.paused_since = None
    req.status = Status.CLOSED
    req.outcome = outcome
    req.refusal_ground = refusal_ground if outcome in (Outcome.REFUSED, Outcome.PARTIAL) else ""
    req.referred_to = (referred_to or "").strip()
    req.answer = answer.strip()
    req.answered_on = on
    req.save()
    _log("foi.request.answer", req, actor, before, outcome=outcome, ground=req.refusal_ground, in_time=int(req.answered_in_time))
    return req


@transaction.atomic
def record_complaint(*, actor, kind, received_on, summary):
    _require_manager(actor)
    errors = {}
    if kind not in Complaint.Kind.values:
        errors["kind"] = [_("Choose a kind.")]
    if not (summary or "").strip():
        errors["summary"] = [_("This field is required.")]
    if received_on is None:
        errors["received_on"] = [_("This field is required.")]
    _raise(errors)
    complaint = Complaint.objects.create(kind=kind, received_on=received_on, summary=summary.strip())
    record("foi.complaint.record", actor=actor, obj=complaint, data={"kind": kind, "received_on": received_on.isoformat()})
    return complaint


@transaction.atomic
def record_evaluation(*, actor, held_on, evaluators, participants, satisfied, summary=""):
    _require_manager(actor)
    errors = {}
    if evaluators not in Evaluation.Evaluators.values:
        errors["evaluators"] = [_("Choose who evaluated.")]
    if held_on is None:
        errors["held_on"] = [_("This field is required.")]
    if not isinstance(participants, int) or participants < 1:
        errors["participants"] = [_("At least one participant.")]
    elif not isinstance(satisfied, int) or not 0 <= satisfied <= participants:
        errors["satisfied"] = [_("Between 0 and the number of participants.")]
    _raise(errors)
    evaluation = Evaluation.objects.create(
        held_on=held_on, evaluators=evaluators, participants=participants, satisfied=satisfied, summary=summary.strip()
    )
    record(
        "foi.evaluation.record",
        actor=actor,
        obj=evaluation,
        data={"participants": participants, "satisfied": satisfied, "evaluators": evaluators},
    )
    return evaluation
