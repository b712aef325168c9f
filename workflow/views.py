"""The workflow's pages: the inbox, drafting, the item page with its history, versions and the
actions this user may take now. Thin: every change is one workflow.services call; what a user may
do comes from workflow.rules (as in the API's `actions`). Errors: an item the user may not see is a
404 (workflow.access.item_for); PermissionDenied is a 403; a state conflict is a message on the
item page; a ValidationError becomes errors on the form."""

import difflib
import html
from functools import wraps
import re
from contextlib import ExitStack

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.display import person
from core import inputs, uploads
from core.exceptions import StateConflict
from policies import services as policy_services
from policies.access import departments_where, is_office, members
from policies.models import Delegation, Department, Role
from policies.roles import DEPARTMENT_PERMISSIONS
from workflow import params, queues, rules, services
from workflow.access import attachment_response, item_for
from workflow.content import ContentError, check_upload, display_html
from workflow.channels import channel_names
from workflow.forms import ACTION_FORMS, ItemForm, ReassignForm, item_label
from workflow.models import PUBLIC_STATES, UNFINISHED_STATES, CatalogueEntry, Notification, State
from workflow.transitions import STAGES


# --- helpers -------------------------------------------------------------------------------------


def _add_errors(form, error):
    """Put a service's ValidationError on the form (unknown fields → the form's own errors)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            if field == "file":
                field = "attachments"
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _deadline_met(item):
    """True/False once published (on time or late), None while it is still open."""
    if item.published_at:
        return timezone.localdate(item.published_at) <= item.due_on
    return None


INBOX_PAGE_SIZE = 50


def inbox_context(user, *, limit=None, page=None):
    """What waits for this user (due soonest first: the first `limit` tasks, or page `page` of the
    inbox), a summary of all of them, and their notifications — for the inbox page and the home
    page. A fixed number of queries however many items wait."""
    today = timezone.localdate()
    waiting = queues.task_items(user)
    summary = queues.task_summary(waiting, today)
    task_page = None
    if limit:
        shown = waiting[:limit]
    else:
        paginator = Paginator(waiting, INBOX_PAGE_SIZE)
        paginator.count = summary["total"]  # counted with the summary: no second COUNT of the same rows
        task_page = paginator.get_page(page)
        shown = task_page.object_list
    tasks = queues.with_actions(shown, user)
    for item in tasks:
        item.overdue = item.is_overdue(today)
    notes = Notification.objects.filter(user=user).select_related("item").order_by("-created_at", "-id")
    unread = [n for n in notes.filter(read_at__isnull=True)[:50]]
    return {
        "tasks": tasks,
        "task_page": task_page,
        "task_count": summary["total"],
        "task_summary": summary,
        "unread": unread,
        "unread_count": notes.filter(read_at__isnull=True).count(),
        "read_notes": list(notes.filter(read_at__isnull=False)[:20]) if not limit else [],
        "may_draft": departments_where(user, "draft_items").exists(),
        "today": today,
    }


def _forbidden(view):
    """PermissionDenied from a service → a 403 page that says why (in the user's language)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as denied:
            reason = str(denied) or _("You may not do this.")
            return render(request, "workflow/forbidden.html", {"reason": reason}, status=403)

    return wrapper


def _render(request, template, context, status=200):
    context.setdefault("may_draft", departments_where(request.user, "draft_items").exists())
    return render(request, template, context, status=status)


# --- inbox and lists -----------------------------------------------------------------------------


@login_required
def inbox(request):
    return _render(request, "workflow/inbox.html", inbox_context(request.user, page=request.GET.get("page")))


@login_required
@require_POST
def notifications_read(request):
    notes = Notification.objects.filter(user=request.user, read_at__isnull=True)
    ids = [pk for pk in map(inputs.as_id, request.POST.getlist("id")) if pk]
    if ids:
        notes = notes.filter(pk__in=ids)
    services.mark_read(list(notes), actor=request.user)
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/") else "workflow:inbox")


LIST_COUNT_LIMIT = 1000


@login_required
def item_list(request):
    """Every item this user may see, in any state (drafts and refusals too: the page says so and
    filters by state or by group of states)."""
    items = queues.visible_items(request.user).select_related("department", "catalogue_entry")
    state = request.GET.get("state", "")
    groups = {"in_progress": (_("In progress"), UNFINISHED_STATES), "public": (_("Published (public)"), PUBLIC_STATES)}
    if state in groups:
        items = items.filter(state__in=groups[state][1])
    elif state in State.values:
        items = items.filter(state=state)
    else:
        state = ""
    # Counted exactly up to LIST_COUNT_LIMIT, beyond it "more than": an exact count would read
    # every item of a large school on each visit, for a figure no one acts on.
    total = items[:LIST_COUNT_LIMIT + 1].count()
    more = total > LIST_COUNT_LIMIT
    total = min(total, LIST_COUNT_LIMIT)
    items = list(items.order_by("-id")[:200])
    today = timezone.localdate()
    for item in items:
        item.overdue = item.is_overdue(today)
    chosen = groups[state][0] if state in groups else (State(state).label if state else "")
    return _render(request, "workflow/item_list.html", {
        "items": items, "total": total, "more": more, "states": State.choices, "state": state, "chosen": chosen,
        "groups": [(code, label) for code, (label, _states) in groups.items()],
    })


# --- drafting ------------------------------------------------------------------------------------


def _draftable_entries(user):
    return (
        CatalogueEntry.objects.filter(
            department__in=departments_where(user, "draft_items"), applicable=True, active=True
        )
        .select_related("category", "department")
    )


def _attach_all(item, files, *, actor):
    for uploaded in files:
        services.add_attachment(item, actor=actor, uploaded_file=uploaded)


CHOOSER_SIZE = 100  # items listed in the linked-item select (the search box finds the others)


def _chooser_items(user, *, exclude=None, query="", limit=None):
    """Items this user may see, newest first, as (pk, label) — for the linked-item chooser."""
    items = queues.visible_items(user).select_related("department").order_by("-id")
    if exclude is not None:
        items = items.exclude(pk=exclude.pk)
    if query:
        items = items.filter(title__icontains=query)
    return [(item.pk, item_label(item)) for item in items[:limit or CHOOSER_SIZE]]


def _item_form(request, item=None, **kwargs):
    """The item form with its linked-item chooser (the current link listed even when older)."""
    choices = _chooser_items(request.user, exclude=item)
    # The current link, or the one just chosen through the search, even when not among the newest.
    wanted = inputs.as_id(request.POST.get("interpretation", "")) or (item.interpretation_id if item else None)
    if wanted and wanted not in {pk for pk, _label in choices}:
        linked = queues.visible_items(request.user).select_related("department").filter(pk=wanted).first()
        if linked is not None:
            choices.insert(0, (linked.pk, item_label(linked)))
    search_url = reverse("workflow:choose-item") + (f"?exclude={item.pk}" if item is not None else "")
    return ItemForm(request.POST or None, request.FILES or None, interpretations=choices,
                    search_url=search_url, **kwargs)


class _Uploads:
    """The files of one submission of the item form: the kept ones (core.uploads) still ticked, and
    the newly chosen ones that pass the content check. A bad file gets its error and is not kept
    (choose another); on any error the good ones are kept for the next try."""

    def __init__(self, request, form):
        self.user = request.user
        self.kept = uploads.held(request.POST.getlist("held"), request.user)
        self.new = []
        for uploaded in request.FILES.getlist("attachments"):
            try:
                check_upload(uploaded)
            except ContentError as error:
                form.add_error("attachments", f"{uploaded.name}：{error}")
            else:
                self.new.append(uploaded)

    def attach(self, item, *, actor):
        with ExitStack() as stack:
            kept = [stack.enter_context(held.open()) for held in self.kept]
            _attach_all(item, [*kept, *self.new], actor=actor)

    def saved(self):
        for held in self.kept:
            held.discard()

    def keep(self):
        """After an error: every good file of this submission, held for the next one."""
        return self.kept + uploads.held([uploads.hold(f, self.user) for f in self.new], self.user)


def _save_item(request, form, save):
    """Run `save()` (→ the item) for a posted item form with its files; returns the item, or None
    with the errors on the form and the good files held (form.held_files)."""
    files = _Uploads(request, form)
    if form.is_valid():
        try:
            with transaction.atomic():  # the item and its files together, or nothing
                item = save()
                files.attach(item, actor=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            files.saved()
            return item
    form.held_files = files.keep()
    return None


@login_required
def choose_item(request):
    """The linked-item chooser's search (workflow/chooser.js): items this user may see whose title
    contains `q`, as [{"id", "label"}]."""
    exclude = queues.visible_items(request.user).filter(pk=inputs.as_id(request.GET.get("exclude", ""))).first()
    try:
        query = inputs.clean_text(request.GET.get("q", ""), max_length=100)
    except ValidationError:
        return JsonResponse({"results": []})
    found = _chooser_items(request.user, exclude=exclude, query=query, limit=20)
    return JsonResponse({"results": [{"id": pk, "label": label} for pk, label in found]})


@login_required
@_forbidden
def item_new(request):
    entries = list(_draftable_entries(request.user))
    if not entries:
        raise PermissionDenied(_("You may not draft items."))
    initial = {"catalogue_entry": request.GET.get("entry", ""), "channels": ["portal"]}
    form = _item_form(request, entries=entries, initial=initial)
    if request.method == "POST":
        def save():
            entry, fields = params.new_item(
                {"catalogue_entry": form.cleaned_data["catalogue_entry"], **form.service_data()}, actor=request.user)
            return services.create_item(actor=request.user, catalogue_entry=entry, **fields)

        item = _save_item(request, form, save)
        if item is not None:
            if "save_and_submit" in request.POST:
                _submit_after_saving(request, item)
            else:
                messages.success(request, _("The draft is saved. Submit it when it is ready."))
            return redirect("workflow:item", item.pk)
    return _render(request, "workflow/item_form.html", {"form": form, "item": None, "may_draft": True})


@login_required
@_forbidden
def item_edit(request, pk):
    try:
        item, refusal = item_for(request.user, pk, to="edit"), None
    except rules.TaskGivenToAnother as given:  # the office reassigned the draft: the message says to whom
        item, refusal = item_for(request.user, pk), str(given)
    if refusal is None and not rules.allowed(item, request.user, "edit"):
        refusal = _("The item is “%(state)s”: it can no longer be edited.") % {"state": item.get_state_display()}
    if refusal is not None:
        if request.method == "POST":  # sent while the form was open: keep what was typed
            return _not_saved(request, item, refusal)
        messages.error(request, refusal)
        return redirect("workflow:item", item.pk)
    initial = {field: getattr(item, field) for field in params.EDITABLE_FIELDS}
    initial["interpretation"] = item.interpretation_id or ""
    form = _item_form(request, item, initial=initial)
    if request.method == "POST":
        def save():
            services.edit_item(item, actor=request.user, **params.item_changes(form.service_data(), item, actor=request.user))
            removed = [pk for pk in map(inputs.as_id, request.POST.getlist("remove")) if pk]
            for attachment in item.attachments.filter(pk__in=removed, removed_at__isnull=True):
                services.remove_attachment(attachment, actor=request.user)
            return item

        try:
            saved = _save_item(request, form, save)
        except (StateConflict, rules.TaskGivenToAnother) as conflict:
            item.refresh_from_db()
            return _not_saved(request, item, str(conflict))
        if saved is not None:
            if "save_and_submit" in request.POST:
                _submit_after_saving(request, item)
            else:
                messages.success(request, _("Saved."))
            return redirect("workflow:item", item.pk)
    attachments = item.attachments.filter(removed_at__isnull=True)
    return _render(request, "workflow/item_form.html", {"form": form, "item": item, "attachments": attachments})


def _not_saved(request, item, reason):
    """An edit posted after the item left the liaison (submitted meanwhile, in another tab or by a
    colleague): nothing is saved, and the form comes back with what was typed (and the good files
    held), so nothing is lost."""
    form = _item_form(request, item)
    form.is_valid()
    form.add_error(None, "%s %s" % (reason, _("Nothing was saved: what you typed is still below, to copy if you need it.")))
    form.held_files = _Uploads(request, form).keep()
    return _render(request, "workflow/item_form.html", {
        "form": form, "item": item, "attachments": item.attachments.filter(removed_at__isnull=True)}, status=409)


def _submit_after_saving(request, item):
    """保存并提交: the save stands on its own; if the submission is refused, the user is told why
    and finds the saved draft on the item page."""
    try:
        services.submit(item, actor=request.user)
    except (ValidationError, PermissionDenied, StateConflict) as error:
        reason = getattr(error, "message", None) or "；".join(getattr(error, "messages", [])) or str(error)
        messages.warning(request, _("Saved, but not submitted: %(reason)s") % {"reason": reason})
    else:
        messages.success(request, _("Saved and submitted for review."))


# --- the item page -------------------------------------------------------------------------------


def _role_label(role):
    try:
        return Role(role).label
    except ValueError:
        return role or _("system")


def _item_page(request, item, bound=None, status=200, unsent=""):
    """Render the item page; `bound` = (action, form) re-shows a form with its errors; `unsent` is
    what the user wrote for an action that could not be taken (shown to copy)."""
    actions = rules.available_actions(item, request.user)
    forms = []
    for action in actions:
        if action == "edit" or action not in ACTION_FORMS:
            continue
        form_class, label = ACTION_FORMS[action]
        if bound and bound[0] == action:
            form = bound[1]
        else:
            initial = {"channels": item.channels} if action == "publish" else None
            form = form_class(initial=initial, prefix=action)
        forms.append({"action": action, "label": label, "form": form,
                      "url": reverse("workflow:action", args=[item.pk, action]),
                      "open": bool(bound and bound[0] == action)})
    steps = list(item.steps.select_related("actor").order_by("created_at", "id"))
    principals = {pk for step in steps for pk in (step.data or {}).get("on_behalf_of", [])}
    names = {u.pk: person(u) for u in get_user_model().objects.filter(pk__in=principals)} if principals else {}
    for step in steps:
        step.role_label = _role_label(step.role)
        step.actor_name = person(step.actor) if step.actor else _("system")
        on_behalf = [names[pk] for pk in (step.data or {}).get("on_behalf_of", []) if pk in names]
        if on_behalf:  # 代理: "X（代 Y）"
            step.actor_name = _("%(actor)s (deputy for %(principal)s)") % {"actor": step.actor_name, "principal": "、".join(on_behalf)}
        step.state_after_label = State(step.state_after).label if step.state_after in State.values else ""
    versions = list(item.versions.select_related("submitted_by").order_by("number"))
    reassign = None
    stage = STAGES.get(item.state)
    if stage and stage.role in DEPARTMENT_PERMISSIONS and is_office(request.user):
        people = services.reassign_candidates(item, request.user)
        if bound and bound[0] == "reassign":
            reassign = bound[1]
        elif people:
            reassign = ReassignForm(people=people, prefix="reassign")
    corrections = list(item.corrections.all())
    # Linked items by title where the viewer may see them; otherwise a neutral label (no id, no
    # title: another department's item, even a refused one, must not show through the link).
    linked = [pk for pk in (item.interpretation_id, item.supersedes_id) if pk] + [c.pk for c in corrections]
    visible = {i.pk: i for i in queues.visible_items(request.user).filter(pk__in=linked)} if linked else {}
    context = {
        "item": item,
        "body_html": display_html(item.body),
        "overdue": item.is_overdue(),
        "deadline_met": _deadline_met(item),
        "may_edit": "edit" in actions,
        "action_forms": forms,
        "steps": steps,
        "versions": versions,
        "attachments": item.attachments.filter(removed_at__isnull=True),
        "reassign_form": reassign,
        "assigned_to": person(item.assigned_to) if item.assigned_to_id else "",
        "interpretation_link": _link(item.interpretation_id, visible),
        "supersedes_link": _link(item.supersedes_id, visible),
        "correction_links": [_link(c.pk, visible) for c in corrections],
        "channel_labels": [label for code, label in _channel_labels(item.channels)],
        "unsent": unsent,
    }
    return _render(request, "workflow/item_detail.html", context, status=status)


def _link(pk, visible):
    """A link to another item for the item page: {"item": the item} or {"item": None} when the
    viewer may not see it; None when there is no link."""
    return None if pk is None else {"item": visible.get(pk)}


def _channel_labels(codes):
    # Every channel's name, the retired ones' too: an item proposed for (or published on) a channel
    # the office has since made inactive still names it.
    labels = channel_names()
    return [(code, labels.get(code, code)) for code in codes or []]


def _conflict(request, item, conflict, typed):
    """An action the item's state no longer allows (someone acted first): say so on the item page
    as it is now, with what the user wrote shown again to copy — nothing typed is lost."""
    messages.error(request, conflict.message)
    if not typed:
        return redirect("workflow:item", item.pk)
    item.refresh_from_db()
    return _item_page(request, item, status=409, unsent=typed)


@login_required
def item_detail(request, pk):
    return _item_page(request, item_for(request.user, pk))


# Decisions that cannot be taken back: the item page's form leads to a confirmation page that says
# what will happen; only the confirmed form (confirmed=1, with the state it was confirmed in) acts.
CONFIRMED = ("refuse", "withdraw", "publish", "discard")


def _confirmation(request, item, action, form, given):
    """The confirmation page: the consequence in plain words, what was entered, the same form as
    hidden fields plus confirmed=1 and the state the user saw."""
    names = channel_names()
    entered = []
    if given.get("ground"):
        entered.append((_("Ground for not disclosing"), dict(form.fields["ground"].choices)[given["ground"]]))
    if action == "publish":
        chosen = item.channels if given.get("channels") is None else given["channels"]  # as the service reads it
        channels = ["portal"] + [c for c in chosen if c != "portal"]
        entered.append((_("Channels"), "、".join(str(names.get(c, c)) for c in channels)))
        when = given.get("publish_at")
        entered.append((_("When"), timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else _("Now")))
    if given.get("comment"):
        entered.append((form.fields["comment"].label, given["comment"]))
    return _render(request, "workflow/confirm.html", {
        "item": item, "action": action, "form": form, "entered": entered,
        "label": ACTION_FORMS[action][1], "url": reverse("workflow:action", args=[item.pk, action]),
        "when": given.get("publish_at"),
    })


def _back_to_item_on_get(view):
    """An action's address opened with GET — the page shown there (a confirmation, a form with its
    errors) reloaded from the address bar or through the language menu — leads to the item page
    (or its 404), never to a bare 405 that the browser shows as a broken page."""
    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return redirect("workflow:item", item_for(request.user, pk).pk)
        return view(request, pk, *args, **kwargs)

    return require_http_methods(["GET", "HEAD", "POST"])(wrapper)


@login_required
@_back_to_item_on_get
@_forbidden
def item_action(request, pk, action):
    item = item_for(request.user, pk, to=action)  # 404 unseen; 403 holds no role for it
    form_class, _label = ACTION_FORMS[action]
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        return _item_page(request, item, bound=(action, form), status=400)
    confirming = action in CONFIRMED and request.POST.get("confirmed") != "1"
    try:
        given = params.action_params(action, form.cleaned_data, actor=request.user)
        if confirming:
            services.check_action(item, action, actor=request.user, **given)
            return _confirmation(request, item, action, form, given)
        seen = (request.POST.get("confirmed_state"), request.POST.get("confirmed_version"))
        if action in CONFIRMED and seen != (item.state, str(item.version)):
            # Confirmed on a page that no longer tells the truth: say so, do nothing.
            raise StateConflict(_("The item changed after you opened the confirmation: it is now “%(state)s”. "
                                  "Nothing was done.") % {"state": item.get_state_display()})
        result = services.perform(item, action, actor=request.user, **given)
    except StateConflict as conflict:
        return _conflict(request, item, conflict, form.cleaned_data.get("comment", ""))
    except ValidationError as error:
        _add_errors(form, error)
        item.refresh_from_db()
        return _item_page(request, item, bound=(action, form), status=400)
    if action == "correct":
        if rules.allowed(result, request.user, "edit"):
            messages.success(request, _("A correction has been started as a new draft."))
            return redirect("workflow:edit", result.pk)
        # The office starts corrections but drafts nothing: its edit page would be a 403.
        messages.success(request, _("A correction has been started as a new draft: the department's liaison "
                                    "revises it and submits it for review."))
        return redirect("workflow:item", result.pk)
    result.refresh_from_db()
    messages.success(request, _("Done. The item is now “%(state)s”.") % {"state": result.get_state_display()})
    return redirect("workflow:item", item.pk)


@login_required
@_back_to_item_on_get
@_forbidden
def item_reassign(request, pk):
    """The office gives the current step's task to another holder of the role (改派)."""
    item = item_for(request.user, pk)
    if not is_office(request.user):
        raise PermissionDenied(_("Only the disclosure office may reassign tasks."))
    stage = STAGES.get(item.state)
    people = list(members(item.department, stage.role)) if stage and stage.role in DEPARTMENT_PERMISSIONS else []
    form = ReassignForm(request.POST, people=people, prefix="reassign")
    if not form.is_valid():
        return _item_page(request, item, bound=("reassign", form), status=400)
    target = next((p for p in people if p.pk == form.cleaned_data["to"]), None)
    try:
        services.reassign(item, to=target, actor=request.user, comment=form.cleaned_data["comment"])
    except StateConflict as conflict:
        return _conflict(request, item, conflict, form.cleaned_data["comment"])
    except ValidationError as error:
        form.add_error(None, error.messages)
        item.refresh_from_db()
        return _item_page(request, item, bound=("reassign", form), status=400)
    messages.success(request, _("The task now waits for %(name)s.") % {"name": person(target)})
    return redirect("workflow:item", item.pk)


@login_required
def attachment_download(request, pk, attachment_pk):
    item = item_for(request.user, pk)
    attachment = item.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404("No such attachment")
    return attachment_response(attachment)


# --- versions ------------------------------------------------------------------------------------

_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/li|/h[1-6]|/tr|/div|/blockquote|/pre|hr\s*/?)\s*>")
_TAG = re.compile(r"<[^>]+>")


def _text_lines(body):
    """An HTML body as lines of text, for a readable diff."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", body or ""))
    return [line.strip() for line in html.unescape(text).splitlines() if line.strip()]


@login_required
def version_diff(request, pk):
    item = item_for(request.user, pk)
    versions = {v.number: v for v in item.versions.all()}
    if len(versions) < 2:
        raise Http404("Fewer than two versions")
    numbers = sorted(versions)
    try:
        a = int(request.GET.get("a", numbers[-2]))
        b = int(request.GET.get("b", numbers[-1]))
    except ValueError:
        raise Http404("No such version")
    if a not in versions or b not in versions:
        raise Http404("No such version")
    old, new = versions[a], versions[b]
    differ = difflib.HtmlDiff(wrapcolumn=60)
    label_a = _("Version %(n)s") % {"n": a}
    label_b = _("Version %(n)s") % {"n": b}
    title_table = differ.make_table([old.title], [new.title], label_a, label_b)
    body_table = differ.make_table(_text_lines(old.body), _text_lines(new.body), label_a, label_b, context=False)
    return _render(request, "workflow/diff.html", {
        "item": item, "a": a, "b": b, "numbers": numbers, "old": old, "new": new,
        "title_table": title_table, "body_table": body_table,
        "same": old.sha256 == new.sha256,
    })


def _delegation_statuses():
    return [("", _("All")), ("current", _("in force")), ("planned", _("Not yet begun")), ("ended", _("Ended"))]


@login_required
def delegations(request):
    """The office's view of every delegation (代理审批) in the school: in force, planned and ended,
    by department; one in force or planned can be ended early here."""
    if not is_office(request.user):
        raise PermissionDenied(_("Only the disclosure office sees all delegations."))
    today = timezone.localdate()
    rows = Delegation.objects.select_related("principal", "deputy", "department").order_by("-starts_on", "-id")
    departments = list(Department.objects.filter(delegations__isnull=False).distinct().order_by("name"))
    department = next((d for d in departments if str(d.pk) == request.GET.get("department", "")), None)
    if department:
        rows = rows.filter(department=department)
    status = request.GET.get("status", "")
    if status == "current":
        rows = rows.active(today)
    elif status == "planned":
        rows = rows.filter(revoked_at__isnull=True, starts_on__gt=today)
    elif status == "ended":
        rows = rows.filter(Q(revoked_at__isnull=False) | Q(ends_on__lt=today))
    else:
        status = ""
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for d in page.object_list:
        d.principal_name, d.deputy_name = person(d.principal), person(d.deputy)
        d.ended = d.revoked_at is not None or d.ends_on < today
        d.planned = not d.ended and d.starts_on > today
    query = {"department": department.pk if department else "", "status": status}
    return render(request, "workflow/delegations.html", {
        "page": page, "departments": departments, "department": department, "status": status,
        "statuses": _delegation_statuses(), "query": query,
    })


@login_required
@require_POST
def delegation_end(request, pk):
    """The office ends a delegation early (policies.services.end_delegation: checked, audited; the
    principal and deputy are told through policies.signals.delegation_ended)."""
    if not is_office(request.user):
        raise PermissionDenied(_("Only the disclosure office sees all delegations."))
    delegation = Delegation.objects.filter(pk=pk).select_related("principal", "deputy").first()
    if delegation is None:
        raise Http404("No such delegation")
    try:
        policy_services.end_delegation(delegation, actor=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("The delegation of %(principal)s to %(deputy)s has ended.") % {
            "principal": person(delegation.principal), "deputy": person(delegation.deputy)})
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/workflow/delegations/") else "workflow:delegations")
