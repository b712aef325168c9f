"""Requests for information, complaints and evaluations. Each change is checked, written and
audited in one transaction. Errors: PermissionDenied, ValidationError (field → messages),
core.exceptions.StateConflict when the request's status does not allow the step."""

import datetime
import hashlib
import hmac
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from audit.services import record
from core import inputs
from core.env import env_int
from core.exceptions import StateConflict
from core.grounds import RefusalGround
from foi.mail import owe_applicant
from foi.models import Attachment, Complaint, Evaluation, InformationRequest, PublicSubmission
from policies.access import can, can_any, departments_where, is_office
from workflow.content import ContentError, check_upload
from workflow.workdays import add_working_days, working_days_between

# rules.md: reply within 15 working days of receipt; up to 15 more with the office head's approval.
REPLY_WORKING_DAYS = env_int("FOI_REPLY_WORKING_DAYS", 15)
MAX_EXTENSION_WORKING_DAYS = env_int("FOI_MAX_EXTENSION_WORKING_DAYS", 15)
# The public forms: submissions (applications, complaints, corrections) and status look-ups per
# sender address and hour, attachments per application and their size.
PUBLIC_SUBMISSIONS_PER_HOUR = env_int("FOI_PUBLIC_SUBMISSIONS_PER_HOUR", 5)
PUBLIC_LOOKUPS_PER_HOUR = env_int("FOI_PUBLIC_LOOKUPS_PER_HOUR", 30)
PUBLIC_ATTACHMENTS = env_int("FOI_PUBLIC_ATTACHMENTS", 3)
PUBLIC_ATTACHMENT_MAX_BYTES = env_int("FOI_PUBLIC_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
# Identity data of closed requests and complaints is erased this many days after they close.
RETENTION_DAYS = env_int("FOI_RETENTION_DAYS", 365 * 3)

Status, Outcome = InformationRequest.Status, InformationRequest.Outcome
PAUSED = (Status.AWAITING_CORRECTION, Status.AWAITING_THIRD_PARTY)
LIMITS = {"applicant_name": 200, "id_number": 40, "phone": 40, "email": 200, "postal_address": 300, "description": 5000,
          "name": 200, "summary": 5000, "correction": 5000, "answer": 10000, "note": 2000, "reason": 300, "referred_to": 200}


def may_manage(user):
    """The disclosure office handles requests, complaints and evaluations."""
    return is_office(user)


def may_view(user):
    return can_any(user, "publish_items", "view_audit", "approve_major_items")


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
        "received_on": req.received_on.isoformat(),
        "department": req.department.code if req.department_id else "",
        "draft": req.draft_state,
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


class RateLimited(Exception):
    """Too many submissions or look-ups from one address: try again later."""


def may_handle_for_department(user, req, codename):
    """The liaison (draft_items) or head (approve_items) of the request's assigned department."""
    return bool(req.department_id) and can(user, codename, req.department)


def may_see(user, req):
    """The office (and read-only auditors and leaders) see every request; a department sees only
    the requests assigned to it."""
    return may_view(user) or may_handle_for_department(user, req, "view_items")


def requests_for(user):
    """The requests this user may see."""
    if may_view(user):
        return InformationRequest.objects.all()
    if not user.is_authenticated:
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(department__in=departments_where(user, "view_items"))


# --- the public side: codes, rate limits, clean text -------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone


def new_access_code():
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _code_digest(number, code):
    normalised = re.sub(r"[^0-9A-Z]", "", (code or "").upper())
    return salted_hmac("foi.access-code", f"{number}:{normalised}", algorithm="sha256").hexdigest()


def address_digest(address):
    """A keyed digest of the sender's address: rate limits need no stored IP address."""
    return salted_hmac("foi.address", address or "", algorithm="sha256").hexdigest()


def count_attempt(kind, address, *, limit):
    """Count one attempt on a public form and refuse it past `limit` per hour from that address.
    The rows are shared by every web process (the database is the one counter)."""
    digest = address_digest(address)
    since = timezone.now() - datetime.timedelta(hours=1)
    with transaction.atomic():
        recent = PublicSubmission.objects.filter(address_digest=digest, kind=kind, at__gte=since).count()
        if recent >= limit:
            raise RateLimited
        PublicSubmission.objects.create(kind=kind, address_digest=digest)
    # Old rows are only needed for an hour.
    PublicSubmission.objects.filter(at__lt=since - datetime.timedelta(days=1)).delete()


def clean_text(value, field, errors, *, required=True, multiline=False):
    """Public input through the one input policy (core.inputs: NFC, no control or direction
    characters, the field's length); a refusal is recorded in `errors` under `field`."""
    try:
        value = inputs.clean_text(value, multiline=multiline, max_length=LIMITS.get(field, 200))
    except ValidationError as error:
        errors[field] = error.messages
        return ""
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if required and not value:
        errors[field] = [_("This field is required.")]
    return value


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_resident_id(number):
    """An 18-character resident identity number with its ISO 7064 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS))
    return "10X98765432"[total % 11] == number[17]


def _numbered_create(model, prefix, build):
    """Create a row with the next number under `prefix`; a concurrent creator taking the same
    number makes this one try the next."""
    taken = model.objects.filter(number__startswith=prefix).count()
    for attempt in range(20):
        number = f"{prefix}{taken + 1 + attempt:03d}"
        try:
            with transaction.atomic():
                return build(number)
        except IntegrityError:
            if not model.objects.filter(number=number).exists():
                raise
    raise RuntimeError("no free number")


def check_public_upload(uploaded):
    """One attachment of a public application: its size and content checked; returns
    check_upload's (content type, size, sha256). The error names the file."""
    if uploaded.size > PUBLIC_ATTACHMENT_MAX_BYTES:
        problem = _("A file is too large (at most %(mb)d MB).") % {"mb": PUBLIC_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
    else:
        try:
            return check_upload(uploaded)
        except ContentError as error:
            problem = str(error)
    raise ValidationError(f"{uploaded.name}：{problem}")


def check_application(*, applicant_kind, applicant_name, id_type, id_number, phone="", email="", postal_address="",
                      description, form_wanted, delivery, file_count=0):
    """The rules of an online application's fields: returns (clean values, errors by field).
    submit_online refuses on these errors; the /apply/ form shows them with its own, so that one try
    names every problem."""
    errors = {}
    applicant_name = clean_text(applicant_name, "applicant_name", errors)
    id_number = clean_text(id_number, "id_number", errors).upper().replace(" ", "")
    phone = clean_text(phone, "phone", errors, required=False)
    email = clean_text(email, "email", errors, required=False)
    postal_address = clean_text(postal_address, "postal_address", errors, required=False)
    description = clean_text(description, "description", errors, multiline=True)
    if applicant_kind not in InformationRequest.ApplicantKind.values:
        errors["applicant_kind"] = [_("Choose natural person or organisation.")]
    if id_type not in InformationRequest.IdType.values:
        errors["id_type"] = [_("Choose the identity document.")]
    elif id_type == InformationRequest.IdType.RESIDENT_ID and "id_number" not in errors and not valid_resident_id(id_number):
        errors["id_number"] = [_("This is not a valid resident identity number.")]
    if form_wanted not in InformationRequest.Form.values:
        errors["form_wanted"] = [_("Choose the form you want.")]
    if delivery not in InformationRequest.Delivery.values:
        errors["delivery"] = [_("Choose how to receive it.")]
    if email and "email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if not (phone or email or postal_address) and not errors.keys() & {"phone", "email", "postal_address"}:
        errors["phone"] = [_("Give at least one way to reach you: phone, e-mail or postal address.")]
    if form_wanted == InformationRequest.Form.EMAIL and not email and "email" not in errors:
        errors["email"] = [_("An answer by e-mail needs an e-mail address.")]
    if delivery == InformationRequest.Delivery.POST and not postal_address and "postal_address" not in errors:
        errors["postal_address"] = [_("Delivery by post needs a postal address.")]
    if file_count > PUBLIC_ATTACHMENTS:
        errors["attachments"] = [_("At most %(n)d files.") % {"n": PUBLIC_ATTACHMENTS}]
    values = {
        "applicant_kind": applicant_kind, "applicant_name": applicant_name, "id_type": id_type, "id_number": id_number,
        "phone": phone, "email": email, "postal_address": postal_address, "description": description,
        "form_wanted": form_wanted, "delivery": delivery,
    }
    return values, errors


@transaction.atomic  # the request, its files, its event and its receipt mail: all or nothing
def submit_online(*, address, applicant_kind, applicant_name, id_type, id_number, phone="", email="", postal_address="",
                  description, form_wanted, delivery, about_own_information=False, files=()):
    """An application from the public site (no account). Returns (request, access code): the code is
    shown once and only its digest is kept. The reply clock starts when the office confirms."""
    files = list(files)
    values, errors = check_application(
        applicant_kind=applicant_kind, applicant_name=applicant_name, id_type=id_type, id_number=id_number, phone=phone,
        email=email, postal_address=postal_address, description=description, form_wanted=form_wanted,
        delivery=delivery, file_count=len(files),
    )
    checked = []
    if "attachments" not in errors:
        for uploaded in files:
            try:
                checked.append((uploaded, *check_public_upload(uploaded)))
            except ValidationError as error:
                errors["attachments"] = error.messages
                break
    _raise(errors)
    now = timezone.now()
    today = timezone.localdate()
    code = new_access_code()

    def build(number):
        req = InformationRequest(
            number=number, source=InformationRequest.Source.ONLINE, status=Status.SUBMITTED, received_on=today,
            **values, contact=" / ".join(v for v in (values["phone"], values["email"], values["postal_address"]) if v)[:300],
            about_own_information=bool(about_own_information), access_code_digest=_code_digest(number, code),
            submitted_at=now,
        )
        _set_due(req)
        req.save()
        return req

    req = _numbered_create(InformationRequest, f"{today.year}-", build)
    for uploaded, content_type, size, sha256 in checked:
        attachment = Attachment(request=req, original_name=(uploaded.name or "")[-255:], content_type=content_type, size=size, sha256=sha256)
        attachment.file.save(sha256, uploaded, save=False)
        attachment.save()
    # The event names what happened, never who applied (the applicant's identity stays in the row).
    _log("foi.request.submit", req, None, None, source="online", attachments=len(checked))
    _mail_applicant(req, "submitted", code=code)
    return req, code


def public_statistics(year):
    """The year's requests in aggregate (the only figures about requests the public sees)."""
    requests = InformationRequest.objects.filter(received_on__year=year).exclude(status=Status.SUBMITTED)
    answered = requests.filter(status=Status.CLOSED)
    on_time = sum(1 for answered_on, due_on in answered.values_list("answered_on", "due_on") if answered_on <= due_on)
    return {"year": year, "received": requests.count(), "answered": answered.count(), "on_time": on_time}


def find_by_code(number, code):
    """The request with this number if the code is right; None otherwise (a wrong code and a
    missing number are the same answer)."""
    number = (number or "").strip()[:20]
    req = InformationRequest.objects.filter(number=number, source=InformationRequest.Source.ONLINE).first()
    digest = _code_digest(number, code)
    if req is None or not req.access_code_digest:
        hmac.compare_digest(digest, digest)  # the same work either way
        return None
    return req if hmac.compare_digest(req.access_code_digest, digest) else None


def _mail_applicant(req, what, **context):
    """Tell the applicant by e-mail (when they gave an address): owed in this transaction, sent
    once it commits."""
    if req.email:
        owe_applicant(req.email, req.number, what, **context)


@transaction.atomic
def confirm(req, *, actor, on=None):
    """The office confirms an online application: that day is the day of receipt, and the
    15-working-day clock starts from it. A 受理回执 is issued to the applicant."""
    _require_manager(actor)
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != Status.SUBMITTED:
        raise StateConflict(_("Only an application awaiting confirmation can be confirmed."), state=req.status)
    before = _state(req)
    on = on or timezone.localdate()
    req.received_on = on
    req.status = Status.OPEN
    _set_due(req)
    req.save()
    _log("foi.request.confirm", req, actor, before, received_on=on.isoformat())
    _letter(req, "receipt")
    _mail_applicant(req, "confirmed")
    return req


@transaction.atomic
def submit_correction(req, *, text, address):
    """The applicant's 补正, sent online with the 查询码: the clock runs again from today."""
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != Status.AWAITING_CORRECTION:
        raise StateConflict(_("No correction is asked for."), state=req.status)
    errors = {}
    text = clean_text(text, "correction", errors, multiline=True)
    _raise(errors)
    before = _state(req)
    on = timezone.localdate()
    req.correction_answer = text
    req.paused_working_days += max(0, working_days_between(req.paused_since, on))
    req.paused_since = None
    req.status = Status.OPEN
    _set_due(req)
    req.save()
    _log("foi.request.correct", req, None, before, source="online")
    return req


def _letter(req, kind):
    """Promise a letter in this transaction; it is rendered and signed after commit."""
    from foi.letters import schedule

    sequence = 1 + sum(1 for entry in req.letter_plan if entry["kind"] == kind)
    req.letter_plan = [*req.letter_plan, {"kind": kind, "sequence": sequence}]
    InformationRequest.objects.filter(pk=req.pk).update(letter_plan=req.letter_plan)
    schedule(req.pk, kind, sequence)


# --- routing to the department that holds the information (承办部门) ------------------------------


def _tell_department(req, codename, message, *, actor):
    """A task for the assigned department: a notification (and mail) to whoever holds `codename`
    there; the home page lists the open requests of the department as well (department_tasks)."""
    from policies.access import users_with
    from workflow.models import Notification
    from workflow.notify import notify

    users = [u for u in users_with(codename, req.department) if u.pk != actor.pk and not is_office(u)]
    notify(users, None, Notification.Kind.TASK, message % {"number": req.number, "due": req.due_on.isoformat()},
           link=f"/foi/{req.pk}/")


def department_tasks(user):
    """[(request, what is needed)] — the open requests assigned to this user's departments that
    wait for them: an answer to draft (liaison) or a draft to approve (head), most urgent first."""
    from policies.access import departments_where

    drafting = set(departments_where(user, "draft_items").values_list("pk", flat=True))
    approving = set(departments_where(user, "approve_items").values_list("pk", flat=True))
    if not (drafting or approving) or is_office(user):
        return []
    tasks = []
    requests = InformationRequest.objects.filter(
        department__in=drafting | approving, status=Status.OPEN
    ).select_related("department").order_by("due_on", "id")[:100]
    for req in requests:
        if req.department_id in approving and req.draft_state == "drafted" and req.drafted_by_id != user.pk:
            tasks.append((req, _("Approve the drafted answer")))
        elif req.department_id in drafting and req.draft_state == "":
            tasks.append((req, _("Draft the answer")))
    return tasks


@transaction.atomic
def assign(req, *, actor, department):
    """The office hands the request to the department that holds the information."""
    _require_manager(actor)
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if req.status in (Status.CLOSED, Status.SUBMITTED):
        raise StateConflict(_("Only a request being handled can be assigned."), state=req.status)
    if department is None or not department.active:
        raise ValidationError({"department": [_("Choose a department.")]})
    before = _state(req)
    req.department = department
    req.draft, req.drafted_by, req.approved_by = {}, None, None
    req.save()
    _log("foi.request.assign", req, actor, before, department=department.code)
    _tell_department(req, "draft_items", _("Disclosure on application %(number)s: draft the answer (reply due %(due)s)"),
                     actor=actor)
    return req


def _check_answer(outcome, answer, refusal_ground, referred_to, errors):
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome.")]
    if outcome in (Outcome.REFUSED, Outcome.PARTIAL) and refusal_ground not in RefusalGround.values:
        errors["refusal_ground"] = [_("A refusal names its ground.")]
    answer = clean_text(answer, "answer", errors, multiline=True)
    if "answer" in errors and not (answer or "").strip():
        errors["answer"] = [_("Write the answer sent to the applicant.")]
    referred_to = clean_text(referred_to, "referred_to", errors, required=False)
    return answer, referred_to


@transaction.atomic
def draft_answer(req, *, actor, outcome, answer, refusal_ground="", referred_to=""):
    """The assigned department's liaison drafts the answer; its head approves it next."""
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if not may_handle_for_department(actor, req, "draft_items"):
        raise PermissionDenied(_("Only the liaison of the assigned department drafts the answer."))
    if req.status != Status.OPEN:
        raise StateConflict(_("Only a request being handled can be answered."), state=req.status)
    errors = {}
    answer, referred_to = _check_answer(outcome, answer, refusal_ground, referred_to, errors)
    if outcome == Outcome.UNCLEAR:
        errors["outcome"] = [_("Ask the office for a correction instead.")]
    _raise(errors)
    before = _state(req)
    req.draft = {"outcome": outcome, "answer": answer, "refusal_ground": refusal_ground if outcome in (Outcome.REFUSED, Outcome.PARTIAL) else "",
                 "referred_to": referred_to, "drafted_at": timezone.now().isoformat()}
    req.drafted_by, req.approved_by = actor, None
    req.save()
    _log("foi.request.draft", req, actor, before, outcome=outcome)
    _tell_department(req, "approve_items", _("Disclosure on application %(number)s: approve the drafted answer (reply due %(due)s)"),
                     actor=actor)
    return req


@transaction.atomic
def approve_draft(req, *, actor, comment=""):
    """The department head approves the drafted answer (never their own draft)."""
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if not may_handle_for_department(actor, req, "approve_items"):
        raise PermissionDenied(_("Only the head of the assigned department approves the answer."))
    if req.draft_state != "drafted":
        raise StateConflict(_("There is no draft waiting for approval."), state=req.status)
    if req.drafted_by_id == actor.pk:
        raise PermissionDenied(_("Nobody approves an answer they drafted."))
    before = _state(req)
    req.approved_by = actor
    req.draft = {**req.draft, "approved_at": timezone.now().isoformat()}
    req.save()
    _log("foi.request.approve", req, actor, before, comment=(comment or "").strip()[:500])
    return req


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
    _check_day_passed(errors, "received_on", received_on, _("A request cannot be received in the future."))
    if applicant_kind not in InformationRequest.ApplicantKind.values:
        errors["applicant_kind"] = [_("Choose natural person or organisation.")]
    if about_own_information and not identity_checked:
        errors["identity_checked"] = [_("A request about one's own personal information needs a valid identity document.")]
    _raise(errors)

    def build(number):
        req = InformationRequest(
            number=number,
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
        return req

    # Numbered like online applications (one sequence per year; a concurrent one takes the next).
    req = _numbered_create(InformationRequest, f"{received_on.year}-", build)
    _log("foi.request.receive", req, actor, None, received_on=received_on.isoformat())
    _letter(req, "receipt")
    if department is not None:
        _tell_department(req, "draft_items", _("Disclosure on application %(number)s: draft the answer (reply due %(due)s)"),
                         actor=actor)
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
    if waiting_for == "correction":
        req.correction_request, req.correction_answer = note.strip(), ""
    req.save()
    _log("foi.request.pause", req, actor, before, waiting_for=waiting_for, note=note.strip())
    _letter(req, "correction" if waiting_for == "correction" else "third_party")
    if waiting_for == "correction":
        _mail_applicant(req, "correction")
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
    _letter(req, "extension")
    _mail_applicant(req, "extended")
    return req


@transaction.atomic
def answer(req, *, actor, outcome, answer, refusal_ground="", referred_to="", on=None):
    """Close the request with its outcome. Refusals (full or partial) name their ground."""
    _require_manager(actor)
    req = InformationRequest.objects.select_for_update().get(pk=req.pk)
    if req.status == Status.CLOSED:
        raise StateConflict(_("The request has already been answered."), state=req.status)
    if req.status == Status.SUBMITTED:
        raise StateConflict(_("Confirm the application first."), state=req.status)
    if req.draft_state == "drafted":
        raise StateConflict(_("The department's draft waits for its head's approval."), state=req.status)
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
    _letter(req, "reply")
    _mail_applicant(req, "answered")
    return req


@transaction.atomic
def record_complaint(*, actor, kind, received_on, summary):
    _require_manager(actor)
    errors = {}
    if kind not in Complaint.Kind.values:
        errors["kind"] = [_("Choose a kind.")]
    if not (summary or "").strip():
        errors["summary"] = [_("This field is required.")]
    _check_day_passed(errors, "received_on", received_on, _("A complaint cannot be received in the future."))
    _raise(errors)
    complaint = Complaint.objects.create(kind=kind, received_on=received_on, summary=summary.strip())
    record("foi.complaint.record", actor=actor, obj=complaint, data={"kind": kind, "received_on": received_on.isoformat()})
    return complaint


def _check_day_passed(errors, field, day, in_the_future):
    """A day something happened, as the office records it: required, not after today (it would
    count in a report of a year to come), not before DATE_MIN (a mistyped year: numbers and letters
    would say year 1)."""
    if day is None:
        errors[field] = [_("This field is required.")]
    elif day > timezone.localdate():
        errors[field] = [in_the_future]
    elif day < inputs.DATE_MIN:
        errors[field] = [inputs.MESSAGES["date_range"]]


@transaction.atomic
def record_evaluation(*, actor, held_on, evaluators, participants, satisfied, summary=""):
    _require_manager(actor)
    errors = {}
    if evaluators not in Evaluation.Evaluators.values:
        errors["evaluators"] = [_("Choose who evaluated.")]
    _check_day_passed(errors, "held_on", held_on, _("An evaluation cannot be held in the future."))
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


def check_complaint(*, kind, name, email="", phone="", summary):
    """The rules of an online complaint's fields: returns (clean values, errors by field).
    submit_complaint_online refuses on these errors; the /apply/complaint/ form shows them with its
    own, so that one try names every problem."""
    errors = {}
    name = clean_text(name, "name", errors)
    email = clean_text(email, "email", errors, required=False)
    phone = clean_text(phone, "phone", errors, required=False)
    summary = clean_text(summary, "summary", errors, multiline=True)
    if kind not in (Complaint.Kind.COMPLAINT, Complaint.Kind.SUGGESTION):
        errors["kind"] = [_("Choose complaint or suggestion.")]
    if email and "email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    return {"kind": kind, "name": name, "email": email, "phone": phone, "summary": summary}, errors


@transaction.atomic
def submit_complaint_online(*, address, kind, name, email="", phone="", summary):
    """A complaint (投诉举报) or a suggestion (意见建议) from the public site. Returns (complaint, code)."""
    values, errors = check_complaint(kind=kind, name=name, email=email, phone=phone, summary=summary)
    _raise(errors)
    kind, email = values["kind"], values["email"]
    today = timezone.localdate()
    code = new_access_code()

    def build(number):
        return Complaint.objects.create(
            number=number, source=InformationRequest.Source.ONLINE, received_on=today, **values,
            access_code_digest=_code_digest(number, code),
        )

    complaint = _numbered_create(Complaint, f"TS{today.year}-", build)
    record("foi.complaint.submit", actor=None, obj=complaint, data={"kind": kind, "source": "online"})
    if email:
        owe_applicant(email, complaint.number, "complaint", code=code)
    return complaint, code


def find_complaint_by_code(number, code):
    number = (number or "").strip()[:20]
    complaint = Complaint.objects.filter(number=number, source=InformationRequest.Source.ONLINE).first()
    digest = _code_digest(number, code)
    if complaint is None or not complaint.access_code_digest:
        hmac.compare_digest(digest, digest)
        return None
    return complaint if hmac.compare_digest(complaint.access_code_digest, digest) else None


@transaction.atomic
def close_complaint(complaint, *, actor, result, on=None):
    """The office's answer to a complaint or suggestion; the complainant reads it on the status page."""
    _require_manager(actor)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.closed_on:
        raise StateConflict(_("Already answered."), state="closed")
    errors = {}
    result = clean_text(result, "answer", errors, multiline=True)
    _raise(errors)
    complaint.result = result
    complaint.closed_on = on or timezone.localdate()
    complaint.save()
    record("foi.complaint.close", actor=actor, obj=complaint, data={"closed_on": complaint.closed_on.isoformat()})
    return complaint


IDENTITY_FIELDS = ("applicant_name", "id_number", "phone", "email", "postal_address", "contact")


def identity_digest(values):
    return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()


@transaction.atomic
def erase_identity(*, actor=None, today=None):
    """Erase the identity data of requests and complaints closed more than RETENTION_DAYS ago. Their
    audit events keep a digest of what was erased, not the data; the letters' files (which name the
    applicant) are removed, their hashes stay so a kept copy still verifies. Returns the count."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=RETENTION_DAYS)
    now = timezone.now()
    erased = 0
    for req in InformationRequest.objects.select_for_update().filter(
        status=Status.CLOSED, answered_on__lt=cutoff, identity_erased_at__isnull=True
    ):
        digest = identity_digest([getattr(req, f) for f in IDENTITY_FIELDS] + [req.id_type])
        req.applicant_name, req.id_type, req.id_number = "（已删除）", "", ""
        req.phone = req.email = req.postal_address = req.contact = ""
        req.identity_erased_at = now
        req.save()
        for letter in req.letters.all():
            letter.file_path.unlink(missing_ok=True)
        for attachment in req.attachments.all():
            attachment.file.delete(save=False)
        record("foi.request.erase_identity", actor=actor, obj=req, data={"identity_digest": digest, "retention_days": RETENTION_DAYS})
        erased += 1
    for complaint in Complaint.objects.select_for_update().filter(
        source=InformationRequest.Source.ONLINE, closed_on__lt=cutoff, identity_erased_at__isnull=True
    ):
        digest = identity_digest([complaint.name, complaint.email, complaint.phone])
        complaint.name, complaint.email, complaint.phone = "（已删除）", "", ""
        complaint.identity_erased_at = now
        complaint.save()
        record("foi.complaint.erase_identity", actor=actor, obj=complaint, data={"identity_digest": digest, "retention_days": RETENTION_DAYS})
        erased += 1
    return erased
