"""The office and leaders produce the annual report here: a period, their own words for sections
一、六、七, and a PDF download computed from the records."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.inputs import InputPolicyForm, check_date
from policies.access import is_office
from reports import annual, periods, services
from reports.models import ReportArea


class AnnualReportForm(InputPolicyForm, forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                validators=[check_date])
    date_to = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              validators=[check_date])
    overview = forms.CharField(label=gettext_lazy("Overview (section 1)"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    practices = forms.CharField(
        label=gettext_lazy("New practices, problems and improvements (section 7)"), required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    other = forms.CharField(label=gettext_lazy("Other matters (section 8)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One text per key area (section 3), in the office's order.
        self.areas = list(ReportArea.objects.all())
        for area in self.areas:
            self.fields[f"area_{area.pk}"] = forms.CharField(
                label=_("Key area: %(name)s (section 3)") % {"name": area.name}, required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data

    def texts(self):
        data = self.cleaned_data
        texts = {key: data[key].strip() for key in annual.NARRATIVE_KEYS}
        texts["areas"] = {area.name: data[f"area_{area.pk}"].strip() for area in self.areas if data.get(f"area_{area.pk}", "").strip()}
        return texts


def _initial(date_from, date_to):
    texts, version = annual.latest_narrative(date_from, date_to)
    initial = {"date_from": date_from, "date_to": date_to, **{key: texts.get(key, "") for key in annual.NARRATIVE_KEYS}}
    by_name = texts.get("areas") or {}
    for area in ReportArea.objects.all():
        initial[f"area_{area.pk}"] = by_name.get(area.name, "")
    return initial, version


def _period_from_query(request):
    try:
        return check_date(datetime.date.fromisoformat(request.GET["date_from"])), check_date(datetime.date.fromisoformat(request.GET["date_to"]))
    except (KeyError, ValueError, ValidationError):
        return periods.last_academic_year(timezone.localdate())


@login_required
def annual_report(request):
    """GET: the period's stored narrative to edit; POST: store it (the office: a new version when it
    changed) and download the report."""
    services.require_dashboard_reader(request.user)
    date_from, date_to = _period_from_query(request)
    initial, version = _initial(date_from, date_to)
    form = AnnualReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        texts = form.texts()
        if is_office(request.user):
            annual.save_narrative(data["date_from"], data["date_to"], texts, actor=request.user)
        pdf = annual.report_pdf(
            actor=request.user, date_from=data["date_from"], date_to=data["date_to"], narrative=texts,
            issued_on=timezone.localdate(),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="annual-report-{data["date_from"]:%Y%m%d}-{data["date_to"]:%Y%m%d}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "reports/annual_form.html", {"form": form, "version": version},
                  status=400 if form.errors else 200)
