"""The office's catalogue pages: the categories and entries (the 50 MOE items and the school's own),
with their responsible department, frequency and applicability. Saves go through
workflow.catalogue (audited); nothing is ever deleted — an entry that does not apply is marked
不适用 with a reason, one no longer used is made inactive."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy

from core.inputs import InputPolicyForm
from policies.access import is_office
from policies.models import Department
from workflow import catalogue as workflow_catalogue
from workflow.models import CatalogueCategory, CatalogueEntry


def _office_only(user):
    if not is_office(user):
        raise PermissionDenied


class EntryForm(InputPolicyForm, forms.ModelForm):
    class Meta:
        model = CatalogueEntry
        fields = ["code", "category", "title", "department", "frequency", "applicable", "not_applicable_reason", "order", "active"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(active=True).order_by("code")

    def clean(self):
        data = super().clean()
        if not data.get("applicable") and not (data.get("not_applicable_reason") or "").strip():
            self.add_error("not_applicable_reason", gettext_lazy("Give the reason the item does not apply (不适用)."))
        if data.get("applicable"):
            data["not_applicable_reason"] = ""
        return data


class CategoryForm(InputPolicyForm, forms.ModelForm):
    class Meta:
        model = CatalogueCategory
        fields = ["number", "name", "order"]


@login_required
def catalogue(request):
    _office_only(request.user)
    categories = CatalogueCategory.objects.prefetch_related("entries__department").order_by("order", "number")
    return render(request, "reports/catalogue.html", {"categories": categories})


@login_required
def entry_edit(request, pk=None):
    _office_only(request.user)
    entry = get_object_or_404(CatalogueEntry, pk=pk) if pk else None
    form = EntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        saved = workflow_catalogue.save_entry(form.instance, actor=request.user, changed_fields=form.changed_data)
        messages.success(request, _("Saved %(entry)s.") % {"entry": saved})
        return redirect("reports:catalogue")
    return render(request, "reports/catalogue_form.html", {"form": form, "object": entry, "kind": "entry"},
                  status=400 if request.method == "POST" else 200)


@login_required
def category_edit(request, pk=None):
    _office_only(request.user)
    category = get_object_or_404(CatalogueCategory, pk=pk) if pk else None
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        if category is None:
            form.instance.is_moe = False  # the school's own category
        saved = workflow_catalogue.save_category(form.instance, actor=request.user, changed_fields=form.changed_data)
        messages.success(request, _("Saved %(category)s.") % {"category": saved})
        return redirect("reports:catalogue")
    return render(request, "reports/catalogue_form.html", {"form": form, "object": category, "kind": "category"},
                  status=400 if request.method == "POST" else 200)
