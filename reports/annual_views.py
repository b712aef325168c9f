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
    # The period whose texts the form holds: chosen above the form (a GET that loads its stored
    # texts), never edited inside it — new dates here would store one period's words as another's.
    date_from = forms.DateField(label=gettext_lazy("From"), validators=[check_date],
                                widget=forms.DateInput(attrs={"type": "hidden"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=gettext_lazy("To"), validators=[check_date],
                              widget=forms.DateInput(attrs={"type": "hidden"}, format="%Y-%m-%d"))
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
    """(from, to, error): the period asked for, else the academic year just ended."""
    default = periods.last_academic_year(timezone.localdate())
    if not (request.GET.get("date_from") or request.GET.get("date_to")):
        return (*default, None)
    try:
        date_from = check_date(datetime.date.fromisoformat(request.GET.get("date_from", "")))
        date_to = check_date(datetime.date.fromisoformat(request.GET.get("date_to", "")))
    except ValueError:
        return (*default, _("Enter valid dates (pick them in the date fields)."))
    except ValidationError as error:
        return (*default, error.messages[0])
    if date_from > date_to:
        return (*default, _("The start of the period is after its end."))
    return date_from, date_to, None


@login_required
def annual_report(request):
    """GET: the period's stored narrative to edit; POST: store it (the office: a new version when it
    changed) and download the report."""
    services.require_dashboard_reader(request.user)
    date_from, date_to, period_error = _period_from_query(request)
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
    period = (date_from.isoformat(), date_to.isoformat())
    if form.is_bound:  # the texts sent back for correction are those of the period they were written for
        period = (form.data.get("date_from", period[0]), form.data.get("date_to", period[1]))
    return render(request, "reports/annual_form.html", {
        "form": form, "version": version, "date_from": period[0], "date_to": period[1], "period_error": period_error,
        "stores_texts": is_office(request.user),
    }, status=400 if form.errors or period_error else 200)
