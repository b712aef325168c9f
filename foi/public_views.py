"""The public side of disclosure on application (no account): apply online, follow the request with
its number and private 查询码, answer a 补正, download the signed letters; complaints and suggestions
the same way. Every write is one service call; rate limits count per sender address in the database."""

from contextlib import ExitStack

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit import context as audit_context
from core import uploads
from core.client import client_ip
from foi import public_forms, services
from foi.models import Complaint, InformationRequest, Letter
from core.exceptions import StateConflict
from core.files import download

SESSION_KEY = "foi_access"  # the numbers this browser has opened with their code
# The access code of what this browser just filed, for the page that shows it: a signed cookie
# sent to that page alone, so that reloading it, switching its language or coming back to it
# after noting the code down shows the code again instead of filing the form a second time.
NEW_CODE_COOKIE = "foi_new_code"
NEW_CODE_SECONDS = 3600


def render(request, template, context, status=None):
    """A page of the public site's 依申请公开 section."""
    return django_render(request, template, {**context, "public_section": "apply"}, status=status)


def _address(request):
    """The sender's address as the login throttle sees it (X-Forwarded-For only from TRUSTED_PROXIES).
    The audit events of this request keep only a keyed digest of it."""
    address = client_ip(request) or ""
    audit_context.anonymise(services.address_digest(address))
    return address


def _limited(request, kind, limit, template, context):
    try:
        services.count_attempt(kind, _address(request), limit=limit)
    except services.RateLimited:
        context["rate_limited"] = True
        return render(request, template, context, status=429)
    return None


def _errors_to_form(form, error):
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _honeypot_tripped(request, form, template, context):
    if form.cleaned_data.get("website"):
        form.add_error(None, _("The form could not be accepted."))
        return render(request, template, context, status=400)
    return None


def _grant(request, number):
    opened = set(request.session.get(SESSION_KEY, []))
    opened.add(number)
    request.session[SESSION_KEY] = sorted(opened)[-20:]
    request.session.cycle_key()


def _opened(request, number):
    return number in request.session.get(SESSION_KEY, [])


def _apply_files(request, owner):
    """The files of one try at /apply/: those kept from an earlier try (still ticked, this session's
    only), the newly chosen ones that pass the checks, and the errors of those that do not (each
    names its file; a bad file is not kept)."""
    kept = uploads.held(request.POST.getlist("held"), owner)
    new, refused = [], []
    for uploaded in request.FILES.getlist("attachments"):
        try:
            services.check_public_upload(uploaded)
        except ValidationError as error:
            refused.extend(error.messages)
        else:
            new.append(uploaded)
    return kept, new, refused


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    # Bound on every POST, even one with no field in it: such a form has every field missing.
    posted = request.method == "POST"
    form = public_forms.ApplyForm(request.POST if posted else None, request.FILES if posted else None)
    context = {"form": form, "max_files": services.PUBLIC_ATTACHMENTS,
               "max_mb": services.PUBLIC_ATTACHMENT_MAX_BYTES // (1024 * 1024),
               "statistics": services.public_statistics(timezone.localdate().year)}
    if request.method == "POST":
        limited = _limited(request, "submit", services.PUBLIC_SUBMISSIONS_PER_HOUR, "foi/public/apply.html", context)
        if limited:
            return limited
        owner = uploads.visitor(request)
        kept, new, refused = _apply_files(request, owner)
        form.file_count = len(kept) + len(new)
        if refused:
            form.add_error("attachments", refused)
        if form.is_valid():
            tripped = _honeypot_tripped(request, form, "foi/public/apply.html", context)
            if tripped:
                return tripped
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("website", "attachments")}
            try:
                with ExitStack() as stack:
                    files = [*(stack.enter_context(held.open()) for held in kept), *new]
                    req, code = services.submit_online(address=_address(request), files=files, **data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                for held in kept:
                    held.discard()
                _grant(request, req.number)
                return _to_code_page(request, req.number, code)
        # Keep every good file of this try (shown as "已上传：…") so nobody chooses it again.
        form.held_files = kept + uploads.held([uploads.hold(f, owner) for f in new], owner)
        return render(request, "foi/public/apply.html", context, status=400)
    return render(request, "foi/public/apply.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def complain(request):
    form = public_forms.ComplaintForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "POST":
        limited = _limited(request, "submit", services.PUBLIC_SUBMISSIONS_PER_HOUR, "foi/public/complain.html", context)
        if limited:
            return limited
        if form.is_valid():
            tripped = _honeypot_tripped(request, form, "foi/public/complain.html", context)
            if tripped:
                return tripped
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            try:
                complaint, code = services.submit_complaint_online(address=_address(request), **data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                _grant(request, complaint.number)
                return _to_code_page(request, complaint.number, code)
        return render(request, "foi/public/complain.html", context, status=400)
    return render(request, "foi/public/complain.html", context)


def _to_code_page(request, number, code):
    """Post/redirect/get: the number and code are shown by a page of their own."""
    response = redirect("apply-submitted", number)
    response.set_signed_cookie(NEW_CODE_COOKIE, f"{number}|{code}", salt=NEW_CODE_COOKIE, max_age=NEW_CODE_SECONDS,
                               path=reverse("apply-submitted", args=[number]), secure=request.is_secure(),
                               httponly=True, samesite="Strict")
    return response


@never_cache
@require_safe
def submitted(request, number):
    """The number and access code of what this browser just filed; afterwards (or in another
    browser) the status page, which asks for the code."""
    value = request.get_signed_cookie(NEW_CODE_COOKIE, default="", salt=NEW_CODE_COOKIE, max_age=NEW_CODE_SECONDS)
    filed, _bar, code = value.partition("|")
    if filed != number or not code:
        return redirect("apply-status-detail", number)
    found = InformationRequest.objects.filter(number=number, source=InformationRequest.Source.ONLINE).first()
    context = {"number": number, "code": code}
    if found is not None:
        context["req"] = found
    else:
        context["complaint"] = Complaint.objects.filter(number=number, source=InformationRequest.Source.ONLINE).first()
    return render(request, "foi/public/submitted.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def status_lookup(request):
    form = public_forms.LookupForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "POST":
        limited = _limited(request, "lookup", services.PUBLIC_LOOKUPS_PER_HOUR, "foi/public/lookup.html", context)
        if limited:
            return limited
        if form.is_valid() and not form.cleaned_data.get("website"):
            number, code = form.cleaned_data["number"].strip().upper(), form.cleaned_data["code"]
            found = services.find_by_code(number, code) or services.find_complaint_by_code(number, code)
            if found is not None:
                _grant(request, found.number)
                return redirect("apply-status-detail", found.number)
        # One answer for a missing number, a wrong code and a malformed form.
        form.errors.clear()
        form.add_error(None, _("No application matches this number and access code."))
        return render(request, "foi/public/lookup.html", context, status=400)
    return render(request, "foi/public/lookup.html", context)


def _opened_object(request, number):
    """The request or complaint this browser opened with its code; 404 otherwise."""
    if not _opened(request, number):
        raise Http404
    found = InformationRequest.objects.filter(number=number, source=InformationRequest.Source.ONLINE).first()
    if found is None:
        found = Complaint.objects.filter(number=number, source=InformationRequest.Source.ONLINE).first()
    if found is None:
        raise Http404
    return found


@never_cache
def status_detail(request, number):
    if not _opened(request, number):
        return redirect("apply-status")
    found = _opened_object(request, number)
    if isinstance(found, Complaint):
        return render(request, "foi/public/complaint_status.html", {"complaint": found})
    return render(request, "foi/public/status.html", _status_context(found))


def _status_context(req, form=None):
    letters = list(req.letters.order_by("issued_at"))
    return {"req": req, "letters": letters, "correction_form": form or public_forms.CorrectionForm(),
            "letters_pending": len(req.letter_plan) - len(letters)}


@never_cache
@require_POST
def correction(request, number):
    req = _opened_object(request, number)
    if not isinstance(req, InformationRequest):
        raise Http404
    form = public_forms.CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.count_attempt("submit", _address(request), limit=services.PUBLIC_SUBMISSIONS_PER_HOUR)
            services.submit_correction(req, text=form.cleaned_data["correction"], address=_address(request))
        except services.RateLimited:
            return render(request, "foi/public/status.html", {**_status_context(req, form), "rate_limited": True}, status=429)
        except ValidationError as error:
            _errors_to_form(form, error)
        except StateConflict as conflict:
            messages.error(request, conflict.message)
            return redirect("apply-status-detail", number)
        else:
            messages.success(request, _("Your correction has been sent; the clock runs again from today."))
            return redirect("apply-status-detail", number)
    req.refresh_from_db()
    return render(request, "foi/public/status.html", _status_context(req, form), status=400)


@never_cache
def letter(request, number, pk):
    req = _opened_object(request, number)
    if not isinstance(req, InformationRequest):
        raise Http404
    found = Letter.objects.filter(request=req, pk=pk).first()
    if found is None or not found.file_path.is_file():
        raise Http404
    return download(open(found.file_path, "rb"), filename=f"{found.number}.pdf", content_type="application/pdf")
