"""The leaders' dashboard: a period's headline figures and charts, all computed from the same
coverage as the register (reports.coverage, counted in SQL) plus the requests for information (foi)."""

from collections import Counter, OrderedDict
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from foi.models import InformationRequest
from reports import charts, coverage


@dataclass
class Overview:
    cov: coverage.Tally
    published: int
    on_time: int
    late: int
    on_time_rate: int | None  # percent, None when nothing was due and published
    entries_covered: int
    entries_applicable: int
    overdue: int
    requests: int
    requests_open: int
    charts: list


def _months(date_from, date_to):
    """Every month of the period, so an empty month shows as 0 rather than disappearing."""
    months, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def build(date_from, date_to, *, department=None, today=None):
    cov = coverage.tally(date_from, date_to, department=department, today=today)
    counts = cov.counts()
    on_time, late = counts.get(coverage.ON_TIME, 0), counts.get(coverage.LATE, 0)
    rate = round(100 * on_time / (on_time + late)) if on_time + late else None
    published_per_entry = cov.per_entry(coverage.ON_TIME, coverage.LATE)
    applicable = {g[0] for g in cov.groups} | {e.pk for e, status in cov.placeholder_rows() if status != coverage.NOT_APPLICABLE}
    covered = {pk for pk, n in published_per_entry.items() if n}

    per_month = {(year, month): n for year, month, n in cov.months}
    months = _months(date_from, date_to)
    month_rows = [(_("%(year)d-%(month)02d") % {"year": y, "month": m}, per_month.get((y, m), 0)) for y, m in months]
    # On the axis a month's number is enough while the period spans at most a year.
    month_labels = [_("%(month)d") % {"month": m} for _y, m in months] if len(months) <= 12 else None
    per_category = OrderedDict()
    for entry in sorted(cov.ordered_entries(), key=lambda e: (e.category.order, e.category.number)):
        per_category.setdefault(entry.category.name, 0)
        per_category[entry.category.name] += published_per_entry[entry.pk]
    # Departments with the most overdue items first; equal counts in the order of their most
    # overdue item.
    overdue, first_due = Counter(), {}
    for group in cov.groups:
        if group[2] == coverage.OVERDUE:
            department_id, n, first = group[1], group[5], group[9]
            overdue[department_id] += n
            first_due[department_id] = min(first, first_due.get(department_id, first))
    overdue_by_department = [(cov.departments[pk].name, n) for pk, n in sorted(overdue.items(), key=lambda kv: (-kv[1], first_due[kv[0]]))]

    requests = InformationRequest.objects.filter(received_on__range=(date_from, date_to))
    if department is not None:
        requests = requests.filter(department=department)
    outcome_labels = dict(InformationRequest.Outcome.choices)
    by_outcome = {row["outcome"]: row["n"] for row in requests.values("outcome").annotate(n=Count("pk"))}
    request_rows = [(str(outcome_labels[code]), by_outcome[code]) for code in outcome_labels if by_outcome.get(code)]
    open_requests = by_outcome.get("", 0)
    if open_requests:
        request_rows.append((_("Still being handled"), open_requests))

    unit = _(" items")
    figures = [
        charts.bar(_("Publications per month"), month_rows, unit=unit, labels=month_labels),
        charts.hbar(_("Publications per category"), list(per_category.items()), unit=unit),
        charts.donut(_("Publication on time"), [(_("On time"), on_time), (_("Late"), late)], unit=unit),
        charts.donut(_("Coverage of the catalogue"),
                     [(_("Published in the period"), len(covered)), (_("Nothing published yet"), len(applicable - covered))],
                     unit=unit),
        charts.donut(_("Requests for information by outcome"), request_rows, unit=_(" requests")),
        charts.hbar(_("Overdue items by department"), overdue_by_department, unit=unit),
    ]
    return Overview(
        cov=cov, published=on_time + late, on_time=on_time, late=late, on_time_rate=rate,
        entries_covered=len(covered), entries_applicable=len(applicable), overdue=counts.get(coverage.OVERDUE, 0),
        requests=sum(by_outcome.values()), requests_open=open_requests, charts=figures,
    )
