"""The office's working-day calendar (its table, its package data, its edits) and the deadlines
computed from it with core.workdays' arithmetic.

Only days that differ from Monday–Friday are stored (CalendarDay): weekday holidays and make-up
working weekends (调休). They come from the `chinesecalendar` package (2004–2026 in 1.11.0) or from
the office. A year without any stored day is unknown: Monday–Friday is assumed and every deadline
that counts a day of it is provisional (预估) until the office enters that year's schedule."""

import datetime

from django.db import transaction

from audit.services import record
from core.workdays import Calendar, horizon
from workflow.models import UNFINISHED_STATES, CalendarDay, DisclosureItem

PACKAGE_YEARS = range(2004, 2027)
DISCLOSURE_WORKING_DAYS = 20

_NOTES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_days(years=PACKAGE_YEARS):
    """(date, is_workday, note) for every day of `years` the package marks differently from Mon–Fri."""
    import chinese_calendar

    for year in years:
        day = datetime.date(year, 1, 1)
        while day.year == year:
            try:
                workday = chinese_calendar.is_workday(day)
            except NotImplementedError:
                break
            if workday != (day.weekday() < 5):
                _, name = chinese_calendar.get_holiday_detail(day)
                note = "调休上班" if workday else _NOTES.get(name, name or "")
                yield day, workday, note
            day += datetime.timedelta(days=1)


def seed_calendar():
    """Store the package's days that are missing (idempotent; never overrides the office's days).
    Returns the number of days added."""
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows = [
        CalendarDay(date=day, is_workday=workday, note=note, source=CalendarDay.Source.PACKAGE)
        for day, workday, note in package_days()
        if day not in existing
    ]
    CalendarDay.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def known_years(years):
    return set(
        CalendarDay.objects.filter(date__year__in=list(years)).values_list("date__year", flat=True).distinct()
    )


def calendar(start, end, *, with_known_years=False):
    """The office's calendar from the day after `start` to `end` (one query; two with the known
    years) for core.workdays' arithmetic."""
    overrides = dict(CalendarDay.objects.filter(date__gt=start, date__lte=end).values_list("date", "is_workday"))
    known = known_years(range(start.year, end.year + 1)) if with_known_years else None
    return Calendar(overrides, start, end, known)


def add_working_days(start, n):
    """The date `n` working days strictly after `start`, and whether it is provisional (some day
    counted lies in a year whose calendar is unknown)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    end = horizon(start, n)
    found = calendar(start, end, with_known_years=True).add(start, n)
    while found is None:  # pathological office calendar: a longer window
        end += datetime.timedelta(days=2 * n + 40)
        found = calendar(start, end, with_known_years=True).add(start, n)
    return found


def disclosure_deadline(produced_on):
    """20 working days after the information was produced (rules.md)."""
    return add_working_days(produced_on, DISCLOSURE_WORKING_DAYS)


def working_days_between(start, end):
    """Working days strictly after `start` up to and including `end` (negative if end < start)."""
    low, high = min(start, end), max(start, end)
    return calendar(low, high).between(start, end)


def counter(start, end):
    """working_days_between for many pairs with one query: the calendar between the earliest and
    latest dates needed is read once (a pair outside it costs one query)."""
    known = calendar(start, end)

    def between(low, high):
        if known.covers(min(low, high), max(low, high)):
            return known.between(low, high)
        return working_days_between(low, high)

    return between


def _day_state(day):
    return {"date": day.date.isoformat(), "is_workday": int(day.is_workday), "note": day.note, "source": day.source}


def recompute_provisional_deadlines():
    """Deadlines computed while a year was unknown, recomputed now that the office has entered
    days: open items only (a published item's deadline is history). Returns how many changed."""
    changed = []
    for item in DisclosureItem.objects.filter(deadline_provisional=True, state__in=UNFINISHED_STATES).select_for_update():
        due_on, provisional = disclosure_deadline(item.produced_on)
        if (due_on, provisional) != (item.due_on, item.deadline_provisional):
            item.due_on, item.deadline_provisional = due_on, provisional
            changed.append(item)
    DisclosureItem.objects.bulk_update(changed, ["due_on", "deadline_provisional"])
    return len(changed)


@transaction.atomic
def save_day(day, *, actor):
    """Create or change a calendar day as the office (admin); provisional deadlines follow."""
    before = None
    if day.pk:
        before = _day_state(CalendarDay.objects.get(pk=day.pk))
    day.source = CalendarDay.Source.OFFICE
    day.save()
    recomputed = recompute_provisional_deadlines()
    record("calendar.day.save", actor=actor, obj=day, before=before, after=_day_state(day),
           data={"date": day.date.isoformat(), "deadlines_recomputed": recomputed})
    return day


@transaction.atomic
def delete_day(day, *, actor):
    before = _day_state(day)
    pk = day.pk
    day.delete()
    recomputed = recompute_provisional_deadlines()
    record("calendar.day.delete", actor=actor, object_type="workflow.calendarday", object_id=pk, before=before,
           data={"date": before["date"], "deadlines_recomputed": recomputed})
