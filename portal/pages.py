"""The public site's reference pages: the 信息公开指南 (guide), the 信息公开目录 as a tree, and the
annual reports by year. Cached like the rest of the public site (portal.views.cached_page)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from core.inputs import InputPolicyForm
from portal import services
from portal.models import GuideVersion
from portal.public import in_force_by_entry, listed_items
from portal.views import cached_page
from records.models import Record
from workflow.models import CatalogueCategory, State

ANNUAL_REPORT_ENTRY = "6"  # MOE catalogue item 6: 信息公开年度报告


def validity(item):
    """有效性 as government sites show it."""
    return {State.PUBLISHED: _("In force"), State.SUPERSEDED: _("Replaced by a correction"), State.WITHDRAWN: _("Withdrawn")}.get(item.state, "")


def index_number(item):
    """索引号: category, catalogue item, year of publication, item number — stable and unique."""
    entry = item.catalogue_entry
    return f"{entry.category.number:02d}-{entry.code}-{timezone.localtime(item.published_at):%Y}-{item.pk:06d}"


@cached_page
def guide(request):
    version = GuideVersion.objects.order_by("-number").first()
    body = render_to_string("portal/guide.html", {"version": version, "default": version is None})
    return _("Disclosure guide"), body


CATALOGUE_ITEMS_PER_ENTRY = 10  # the newest; "all N items" leads to the rest


@cached_page
def catalogue(request):
    categories = list(CatalogueCategory.objects.order_by("order", "number").prefetch_related("entries__department"))
    tree = [(category, sorted((e for e in category.entries.all() if e.active),
                              key=lambda e: (e.order, int(e.code) if e.code.isdigit() else 10**6, e.code)))
            for category in categories]
    listed = in_force_by_entry([e for _category, entries in tree for e in entries if e.applicable], CATALOGUE_ITEMS_PER_ENTRY)
    tree = [(category, [(entry, *listed.get(entry.pk, ([], 0))) for entry in entries]) for category, entries in tree]
    body = render_to_string("portal/catalogue.html", {"tree": tree, "index_number": index_number})
    return _("Disclosure catalogue"), body


@cached_page
def annual_reports(request):
    reports = list(listed_items().filter(catalogue_entry__code=ANNUAL_REPORT_ENTRY, state__in=(State.PUBLISHED, State.SUPERSEDED)))
    records = {
        r.item_id: r for r in Record.objects.filter(item_id__in=[i.pk for i in reports], kind=Record.Kind.PUBLICATION).order_by("version")
    }
    by_year = {}
    for item in reports:
        by_year.setdefault(timezone.localtime(item.published_at).year, []).append((item, records.get(item.pk)))
    body = render_to_string("portal/annual_reports.html", {"years": sorted(by_year.items(), reverse=True)})
    return _("Annual reports"), body


class GuideForm(InputPolicyForm, forms.Form):
    body = forms.CharField(label=gettext_lazy("Guide text (HTML)"), widget=forms.Textarea(attrs={"rows": 24}), max_length=services.GUIDE_MAX_CHARS)


@login_required
def guide_edit(request):
    if not services.may_record_channels(request.user):
        raise PermissionDenied
    latest = GuideVersion.objects.order_by("-number").first()
    initial = latest.body if latest else render_to_string("portal/guide_default.html")
    form = GuideForm(request.POST or None, initial={"body": initial})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.edit_guide(actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error.messages)
        else:
            messages.success(request, _("Guide version %(n)d is published.") % {"n": version.number})
            return redirect("portal:guide-edit")
    versions = GuideVersion.objects.select_related("edited_by")[:50]
    return render(request, "portal/guide_edit.html", {"form": form, "versions": versions})
