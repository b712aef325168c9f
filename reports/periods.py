"""The reporting periods the report pages and the home page share: academic years (1 September –
31 August) and the period a page is asked for in its query string."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.inputs import DATE_MAX, DATE_MIN, MESSAGES
from policies.models import Department


def current_academic_year(today):
    """The academic year that contains today."""
    start_year = today.year if today.month >= 9 else today.year - 1
    return datetime.date(start_year, 9, 1), datetime.date(start_year + 1, 8, 31)


def last_academic_year(today):
    """The latest academic year that has ended: the one the annual report due by 31 October covers."""
    end_year = today.year if today.month >= 9 else today.year - 1
    return datetime.date(end_year - 1, 9, 1), datetime.date(end_year, 8, 31)


def from_query(request):
    """(from, to, department, error) from the query string (`from`, `to`, `department` code); the
    current academic year when no dates are given."""
    default_from, default_to = current_academic_year(timezone.localdate())
    error = None
    try:
        date_from = datetime.date.fromisoformat(request.GET.get("from") or default_from.isoformat())
        date_to = datetime.date.fromisoformat(request.GET.get("to") or default_to.isoformat())
    except ValueError:
        date_from, date_to, error = default_from, default_to, _("Enter valid dates (pick them in the date fields).")
    if error is None and not (DATE_MIN <= date_from <= DATE_MAX and DATE_MIN <= date_to <= DATE_MAX):
        date_from, date_to, error = default_from, default_to, MESSAGES["date_range"]
    if error is None and date_from > date_to:
        error = _("The start of the period is after its end.")
    department = None
    code = request.GET.get("department", "")
    if code:
        department = Department.objects.filter(code=code).first()
        if department is None:
            error = _("Unknown department.")
    return date_from, date_to, department, error
