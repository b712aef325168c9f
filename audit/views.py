"""The auditor's pages: browse and filter events, one object's trail, an event with its proof,
and the export bundle. Auditors and the office only (policies.view_audit)."""

import io
import json

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit import display, keys, labels, merkle, registry, services
from audit.access import can_view_audit
from audit.export import bundle_path, request_export
from audit.models import AuditEvent, AuditExport
from core.inputs import InputPolicyForm
from core.safe_text import SpreadsheetCSV


def _auditor(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_view_audit(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


class GroupedSelect(forms.Select):
    """A <select> whose choices are computed when rendered (users, departments, the registry)."""

    def __init__(self, choices_function, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices_function = choices_function

    def get_context(self, name, value, attrs):
        self.choices = self.choices_function()
        return super().get_context(name, value, attrs)


def _department_choices():
    departments = registry.value_names("department")
    return [("", _("All departments"))] + sorted(departments.items())


def _person_choices():
    people = sorted(get_user_model().objects.all(), key=lambda u: (u.get_full_name() or u.username))
    return [("", _("Everyone"))] + [(u.username, u.get_full_name() or u.username) for u in people]


def _group_choices():
    return [("", _("All kinds"))] + [(code, label) for code, label in labels.GROUPS.items()]


def _action_choices():
    return [("", _("All actions"))] + [(str(group), actions) for group, actions in labels.choices() if actions]


class EventFilter(InputPolicyForm, forms.Form):
    """Filters by choosing from lists (names, not codes); a code typed into the URL still works."""

    department = forms.CharField(label=_("Department"), required=False, widget=GroupedSelect(_department_choices))
    actor = forms.CharField(label=_("Person"), required=False, widget=GroupedSelect(_person_choices))
    group = forms.CharField(label=_("Kind of event"), required=False, widget=GroupedSelect(_group_choices))
    action = forms.CharField(label=_("Action"), required=False, widget=GroupedSelect(_action_choices))
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": _("Enter a valid date.")})
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": _("Enter a valid date.")})
    logins = forms.BooleanField(label=_("Show logins and logouts"), required=False)
    object_type = forms.CharField(required=False, widget=forms.HiddenInput)
    object_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def apply(self, events):
        data = self.cleaned_data
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"].strip())
        if data.get("object_id"):
            events = events.filter(object_id=data["object_id"].strip())
        if data.get("actor"):
            events = events.filter(actor_username=data["actor"].strip())
        action = (data.get("action") or "").strip()
        if action:
            events = events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
        if data.get("group"):
            codes = [code for code in labels.PREFIX_GROUPS if labels.PREFIX_GROUPS[code] == data["group"]]
            condition = Q(pk__in=[])
            for prefix in codes:
                condition |= Q(action__startswith=prefix)
            events = events.filter(condition)
        # Logins flood the list: folded away unless asked for (or chosen as the action).
        if not data.get("logins") and action not in labels.LOGIN_ACTIONS and data.get("group") != "auth":
            events = events.exclude(action__in=labels.LOGIN_ACTIONS)
        if data.get("department"):
            events = events.filter(department=data["department"].strip())
        if data.get("since"):
            events = events.filter(recorded_at__date__gte=data["since"])
        if data.get("until"):
            events = events.filter(recorded_at__date__lte=data["until"])
        return events


EVENTS_PER_PAGE = 50


class EventPage:
    """Fifty events older than `before` (a sequence number; None: the newest), newest first. Pages
    are keyed by sequence number, not counted: no COUNT(*) and no OFFSET over the whole log."""

    def __init__(self, events, before):
        if before is not None:
            events = events.filter(seq__lt=before)
        rows = list(events[:EVENTS_PER_PAGE + 1])  # with canonical: each row shows its details
        self.events, self.has_next = rows[:EVENTS_PER_PAGE], len(rows) > EVENTS_PER_PAGE
        self.has_previous = before is not None
        self.next_before = self.events[-1].seq if self.events else None

    def __iter__(self):
        return iter(self.events)


def filtered_events(request):
    """(form, events) for the query string: the list and its export show the same events."""
    form = EventFilter(request.GET)
    events = AuditEvent.objects.order_by("-seq")
    if form.is_valid():
        events = form.apply(events)
    else:
        events = events.none()  # say what is wrong rather than show something else
    return form, events


@_auditor
def event_list(request):
    form, events = filtered_events(request)
    before = request.GET.get("before", "")
    page = EventPage(events, int(before) if before.isdigit() and len(before) < 19 else None)
    query = request.GET.copy()
    query.pop("before", None)
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "rows": display.rows(page.events), "query": query.urlencode(),
         "size": services.tree_size(), "checkpoint": services.latest_checkpoint()},
    )


@_auditor
def trail(request, object_type, object_id):
    events = list(AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by("seq"))
    if not events:
        raise Http404
    rows = display.rows(events)
    return render(request, "audit/trail.html", {"object_type": object_type, "object_id": object_id, "rows": rows,
                                                "object_label": rows[0].object_label})


@_auditor
def event_detail(request, seq):
    try:
        event = AuditEvent.objects.get(seq=seq)
    except AuditEvent.DoesNotExist:
        raise Http404 from None
    checkpoint = services.checkpoint_covering(seq) or services.checkpoint(reason="proof")
    leaf_index, size, proof = services.inclusion_proof(seq, checkpoint.tree_size)
    try:
        merkle.verify_inclusion(leaf_index, size, bytes.fromhex(event.leaf_hash), proof, bytes.fromhex(checkpoint.root_hash))
        verified = merkle.leaf_hash(event.canonical.encode()).hex() == event.leaf_hash
    except merkle.ProofError:
        verified = False
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "pretty": json.dumps(json.loads(event.canonical), ensure_ascii=False, indent=2, sort_keys=True),
            "checkpoint": checkpoint,
            "proof": [h.hex() for h in proof],
            "leaf_index": leaf_index,
            "verified": verified,
            "key": keys.verifier_key(),
        },
    )


@require_POST
@_auditor
def export(request):
    """Ask for a bundle of the whole log; a background job builds it (the export is itself an
    audited event inside it) and the exports page offers it for download."""
    with transaction.atomic():
        request_export(request.user)
    messages.success(request, _("The export is being prepared. It will be offered for download on this page."))
    return redirect("audit:exports")


@_auditor
def exports(request):
    """The bundles this person asked for, newest first; refreshes itself while one is being built."""
    jobs = list(AuditExport.objects.filter(requested_by=request.user)[:20])
    return render(request, "audit/exports.html", {"jobs": jobs, "refresh": any(job.in_progress for job in jobs)})


@_auditor
def export_download(request, pk):
    """One's own built bundle (nobody downloads another person's)."""
    job = get_object_or_404(AuditExport, pk=pk, requested_by=request.user, state=AuditExport.State.READY)
    try:
        bundle = open(bundle_path(job), "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(bundle, as_attachment=True, filename=job.filename, content_type="application/zip")


EXPORT_MAX_ROWS = 50000


@_auditor
def export_filtered(request):
    """The events the list shows (same filters) as a CSV spreadsheet with names, not codes, named
    in local time. The export is itself an audit event recording the filters."""
    form, events = filtered_events(request)
    if not form.is_valid():
        return event_list(request)
    events = list(events.defer(None)[:EXPORT_MAX_ROWS])
    filters = {key: str(value) for key, value in form.cleaned_data.items() if value not in ("", None, False)}
    with transaction.atomic():
        services.record("audit.export_filtered", actor=request.user, object_type="audit.log", object_id="events",
                        data={"filters": filters, "rows": len(events)})
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the Chinese as UTF-8
    writer = SpreadsheetCSV(out)
    writer.writerow([_("No."), _("Time"), _("Person"), _("Action"), _("Object"), _("Department"), _("Details"),
                     _("Action code"), _("Leaf hash")])
    for row in display.rows(events):
        writer.writerow([row.event.seq, row.time.strftime("%Y-%m-%d %H:%M:%S"), row.actor_name, row.action_label,
                         row.object_label, row.department_name, "；".join(f"{k}：{v}" for k, v in row.details),
                         row.event.action, row.event.leaf_hash])
    name = f"audit-events-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
