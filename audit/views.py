"""The auditor's pages: browse and filter events, one object's trail, an event with its proof,
and the export bundle. Auditors and the office only (policies.view_audit)."""

import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit import keys, merkle, services
from audit.access import can_view_audit
from audit.export import build_bundle
from audit.models import AuditEvent
from core.inputs import InputPolicyForm


def _auditor(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_view_audit(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


class EventFilter(InputPolicyForm, forms.Form):
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    department = forms.CharField(label=_("Department"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def apply(self, events):
        data = self.cleaned_data
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"].strip())
        if data.get("object_id"):
            events = events.filter(object_id=data["object_id"].strip())
        if data.get("actor"):
            events = events.filter(actor_username=data["actor"].strip())
        if data.get("action"):
            action = data["action"].strip()
            events = events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
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
        rows = list(events.defer("canonical")[:EVENTS_PER_PAGE + 1])
        self.events, self.has_next = rows[:EVENTS_PER_PAGE], len(rows) > EVENTS_PER_PAGE
        self.has_previous = before is not None
        self.next_before = self.events[-1].seq if self.events else None

    def __iter__(self):
        return iter(self.events)


@_auditor
def event_list(request):
    form = EventFilter(request.GET or None)
    events = AuditEvent.objects.order_by("-seq")
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    before = request.GET.get("before", "")
    page = EventPage(events, int(before) if before.isdigit() and len(before) < 19 else None)
    query = request.GET.copy()
    query.pop("before", None)
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "size": services.tree_size(),
         "checkpoint": services.latest_checkpoint()},
    )


@_auditor
def trail(request, object_type, object_id):
    events = list(AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by("seq"))
    if not events:
        raise Http404
    rows = [(event, json.loads(event.canonical)) for event in events]
    return render(request, "audit/trail.html", {"object_type": object_type, "object_id": object_id, "rows": rows})


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
    """Download the bundle; the export itself is an audited event inside it."""
    name, bundle = build_bundle(actor=request.user)
    return FileResponse(bundle, as_attachment=True, filename=name, content_type="application/zip")
