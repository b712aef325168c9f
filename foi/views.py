"""Pages for the office (and read-only for auditors and leaders). Each action calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from foi import forms, services
from foi.access import request_for
from foi.models import Complaint, Evaluation, InformationRequest
from core.exceptions import StateConflict
from core.files import download


def _viewer(request):
    if not services.may_view(request.user):
        raise Http404
    return request.user


def _run(request, form, call):
    """Call a service with the form's data; its refusals become form errors or a message."""
    try:
        return call(form.cleaned_data)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    except StateConflict as conflict:
        messages.error(request, conflict.message)
    except PermissionDenied as denied:
        messages.error(request, str(denied) or _("You may not do this."))
    return None


@login_required
def request_list(request):
    if not services.may_view(request.user):
        return _department_list(request)
    requests = InformationRequest.objects.select_related("department").order_by("status", "due_on")
    context = {
        "open_requests": [r for r in requests if r.status != InformationRequest.Status.CLOSED],
        "closed_requests": [r for r in requests if r.status == InformationRequest.Status.CLOSED][:50],
        "complaints": Complaint.objects.all()[:50],
        "evaluations": Evaluation.objects.all()[:50],
        "today": timezone.localdate(),
        "may_manage": services.may_manage(request.user),
    }
    return render(request, "foi/list.html", context)


def _department_list(request):
    requests = list(services.requests_for(request.user).select_related("department").order_by("status", "due_on"))
    if not requests and not request.user.memberships.active().exists():
        raise Http404
    context = {
        "open_requests": [r for r in requests if r.status != InformationRequest.Status.CLOSED],
        "closed_requests": [r for r in requests if r.status == InformationRequest.Status.CLOSED][:50],
        "today": timezone.localdate(),
        "may_manage": False,
        "department_view": True,
    }
    return render(request, "foi/list.html", context)


def _manager_form(request, form_class, call, template, success, heading=""):
    if not services.may_manage(request.user):
        raise PermissionDenied
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = _run(request, form, call)
        if result is not None:
            messages.success(request, success)
            return redirect("foi:detail", result.pk) if isinstance(result, InformationRequest) else redirect("foi:list")
    return render(request, template, {"form": form, "heading": heading})


@login_required
def request_new(request):
    _viewer(request)
    return _manager_form(
        request,
        forms.RequestForm,
        lambda data: services.receive(actor=request.user, **data),
        "foi/form.html",
        _("The request is registered."),
        _("Register a request"),
    )


@login_required
def complaint_new(request):
    _viewer(request)
    return _manager_form(
        request, forms.ComplaintForm, lambda data: services.record_complaint(actor=request.user, **data),
        "foi/form.html", _("Recorded."), _("Record a complaint, reconsideration or lawsuit"),
    )


@login_required
def evaluation_new(request):
    _viewer(request)
    return _manager_form(
        request, forms.EvaluationForm, lambda data: services.record_evaluation(actor=request.user, **data),
        "foi/form.html", _("Recorded."), _("Record an evaluation"),
    )


ACTIONS = {
    "confirm": (forms.ConfirmForm, lambda req, user, data: services.confirm(req, actor=user)),
    "assign": (forms.AssignForm, lambda req, user, data: services.assign(req, actor=user, **data)),
    "draft": (forms.DraftForm, lambda req, user, data: services.draft_answer(req, actor=user, **data)),
    "approve": (forms.ApproveForm, lambda req, user, data: services.approve_draft(req, actor=user, **data)),
    "pause": (forms.PauseForm, lambda req, user, data: services.pause(req, actor=user, **data)),
    "resume": (forms.ConfirmForm, lambda req, user, data: services.resume(req, actor=user)),
    "extend": (forms.ExtendForm, lambda req, user, data: services.extend(req, actor=user, **data)),
    "answer": (forms.AnswerForm, lambda req, user, data: services.answer(req, actor=user, **data)),
}


ACTION_LABELS = {
    "confirm": _lazy("Confirm receipt"),
    "assign": _lazy("Assign to the department that holds the information"),
    "draft": _lazy("Draft the answer"),
    "approve": _lazy("Approve the draft"),
    "pause": _lazy("Wait for a correction or a third party"),
    "resume": _lazy("The answer has arrived: restart the clock"),
    "extend": _lazy("Extend the deadline"),
    "answer": _lazy("Answer"),
}


def _initial(name, req):
    if name == "answer" and req.draft:
        return {k: req.draft.get(k, "") for k in ("outcome", "answer", "refusal_ground", "referred_to")}
    if name == "draft" and req.draft:
        return {k: req.draft.get(k, "") for k in ("outcome", "answer", "refusal_ground", "referred_to")}
    if name == "assign" and req.department_id:
        return {"department": req.department_id}
    return None


def _detail_context(request, req, **forms_given):
    user = request.user
    context = {
        "req": req,
        "today": timezone.localdate(),
        "may_manage": services.may_manage(user),
        "may_draft": services.may_handle_for_department(user, req, "draft_items"),
        "may_approve": services.may_handle_for_department(user, req, "approve_items") and req.drafted_by_id != user.pk,
        "letters": list(req.letters.order_by("issued_at")),
        "attachments": list(req.attachments.all()),
    }
    for name, (form_class, _call) in ACTIONS.items():
        context[f"{name}_form"] = forms_given.get(name) or form_class(prefix=name, initial=_initial(name, req))
    return context


@login_required
def request_detail(request, pk):
    req = request_for(request.user, pk)
    return render(request, "foi/detail.html", _detail_context(request, req))


@login_required
def letter_download(request, pk, letter_pk):
    req = request_for(request.user, pk)
    letter = req.letters.filter(pk=letter_pk).first()
    if letter is None or not letter.file_path.is_file():
        raise Http404
    return download(open(letter.file_path, "rb"), filename=f"{letter.number}.pdf", content_type="application/pdf")


@login_required
def attachment_download(request, pk, attachment_pk):
    req = request_for(request.user, pk)
    found = req.attachments.filter(pk=attachment_pk).first()
    if found is None or not found.file:
        raise Http404
    return download(found.file.open("rb"), filename=found.original_name, content_type=found.content_type)


@login_required
@require_POST
def request_action(request, pk, action):
    req = request_for(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    if action not in ("draft", "approve") and not services.may_manage(request.user):
        raise PermissionDenied
    form_class, call = ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        if _run(request, form, lambda data: call(req, request.user, data)) is not None:
            messages.success(request, _("Saved."))
            return redirect("foi:detail", pk)
        if not form.errors:  # the status did not allow it: the message says why
            return redirect("foi:detail", pk)
    # The failed form's section opens and its errors are summed up at the top of the page, so the
    # correction asked for is seen wherever the section sits.
    context = _detail_context(request, req, **{action: form})
    context.update(failed_form=form, failed_label=ACTION_LABELS[action])
    return render(request, "foi/detail.html", context, status=400)


@login_required
def complaint_detail(request, pk):
    """An online complaint or suggestion: the office reads it and answers; the answer shows on the
    complainant's status page."""
    _viewer(request)
    complaint = get_object_or_404(Complaint, pk=pk)
    form = forms.ComplaintAnswerForm(request.POST or None)
    if request.method == "POST":
        if not services.may_manage(request.user):
            raise PermissionDenied
        if form.is_valid() and _run(request, form, lambda data: services.close_complaint(complaint, actor=request.user, **data)):
            messages.success(request, _("Saved."))
            return redirect("foi:complaint", pk)
    return render(request, "foi/complaint.html", {"complaint": complaint, "form": form, "may_manage": services.may_manage(request.user)})
