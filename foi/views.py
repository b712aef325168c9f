"""Pages for the office (and read-only for auditors and leaders). Each action calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foi import forms, services
from foi.models import Complaint, Evaluation, InformationRequest
from workflow.exceptions import StateConflict


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
    return None


@login_required
def request_list(request):
    _viewer(request)
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


def _manager_form(request, form_class, call, template, success):
    if not services.may_manage(request.user):
        raise PermissionDenied
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = _run(request, form, call)
        if result is not None:
            messages.success(request, success)
            return redirect("foi:detail", result.pk) if isinstance(result, InformationRequest) else redirect("foi:list")
    return render(request, template, {"form": form})


@login_required
def request_new(request):
    _viewer(request)
    return _manager_form(
        request,
        forms.RequestForm,
        lambda data: services.receive(actor=request.user, **data),
        "foi/form.html",
        _("The request is registered."),
    )


@login_required
def complaint_new(request):
    _viewer(request)
    return _manager_form(
        request, forms.ComplaintForm, lambda data: services.record_complaint(actor=request.user, **data),
        "foi/form.html", _("Recorded."),
    )


@login_required
def evaluation_new(request):
    _viewer(request)
    return _manager_form(
        request, forms.EvaluationForm, lambda data: services.record_evaluation(actor=request.user, **data),
        "foi/form.html", _("Recorded."),
    )


ACTIONS = {
    "pause": (forms.PauseForm, lambda req, user, data: services.pause(req, actor=user, **data)),
    "resume": (forms.ConfirmForm, lambda req, user, data: services.resume(req, actor=user)),
    "extend": (forms.ExtendForm, lambda req, user, data: services.extend(req, actor=user, **data)),
    "answer": (forms.AnswerForm, lambda req, user, data: services.answer(req, actor=user, **data)),
}


def _detail_context(request, req, **forms_given):
    context = {"req": req, "today": timezone.localdate(), "may_manage": services.may_manage(request.user)}
    for name, (form_class, _call) in ACTIONS.items():
        context[f"{name}_form"] = forms_given.get(name) or form_class(prefix=name)
    return context


@login_required
def request_detail(request, pk):
    _viewer(request)
    req = get_object_or_404(InformationRequest.objects.select_related("department"), pk=pk)
    return render(request, "foi/detail.html", _detail_context(request, req))


@login_required
@require_POST
def request_action(request, pk, action):
    _viewer(request)
    req = get_object_or_404(InformationRequest, pk=pk)
    if action not in ACTIONS:
        raise Http404
    if not services.may_manage(request.user):
        raise PermissionDenied
    form_class, call = ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        if _run(request, form, lambda data: call(req, request.user, data)) is not None:
            messages.success(request, _("Saved."))
            return redirect("foi:detail", pk)
        if not form.errors:  # the status did not allow it: the message says why
            return redirect("foi:detail", pk)
    return render(request, "foi/detail.html", _detail_context(request, req, **{action: form}), status=400)
