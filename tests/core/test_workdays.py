"""core.workdays: the one working-day arithmetic, over a calendar given as input."""

import datetime

import pytest

from core.workdays import Calendar

D = datetime.date
# 2025 National Day: 1–8 October off, Sunday 28 September and Saturday 11 October worked (调休).
OCTOBER = {D(2025, 9, 28): True, D(2025, 10, 11): True,
           **{D(2025, 10, day): False for day in (1, 2, 3, 6, 7, 8)}}


def test_counting_skips_weekends_and_holidays_and_counts_make_up_days():
    calendar = Calendar(OCTOBER, D(2025, 9, 25), D(2025, 10, 31), known_years={2025})
    # Fri 26 Sep, Sun 28 (worked), Mon 29, Tue 30, Thu 9 Oct, Fri 10, Sat 11 (worked)
    assert calendar.between(D(2025, 9, 25), D(2025, 10, 11)) == 7
    assert calendar.between(D(2025, 10, 11), D(2025, 9, 25)) == -7
    assert calendar.add(D(2025, 9, 25), 7) == (D(2025, 10, 11), False)


def test_a_day_in_an_unknown_year_makes_the_result_provisional():
    calendar = Calendar({}, D(2025, 12, 20), D(2026, 2, 28), known_years={2025})
    assert calendar.add(D(2025, 12, 30), 1) == (D(2025, 12, 31), False)
    assert calendar.add(D(2025, 12, 30), 2) == (D(2026, 1, 1), True)


def test_a_calendar_too_short_for_the_answer_says_so_instead_of_guessing():
    calendar = Calendar({}, D(2025, 1, 1), D(2025, 1, 10))
    assert calendar.add(D(2025, 1, 1), 20) is None
    with pytest.raises(ValueError):
        calendar.add(D(2025, 1, 1), -1)


def test_counts_read_from_the_running_total_agree_with_counting_day_by_day():
    calendar = Calendar(OCTOBER, D(2025, 9, 20), D(2025, 10, 20))
    days = [D(2025, 9, 20) + datetime.timedelta(days=n) for n in range(31)]

    def one_by_one(start, end):
        if end < start:
            return -one_by_one(end, start)
        return sum(calendar.is_workday(start + datetime.timedelta(days=n)) for n in range(1, (end - start).days + 1))

    assert [calendar.between(a, b) for a in days for b in days] == [one_by_one(a, b) for a in days for b in days]
    # Outside the calendar's span (no overrides known there) it still counts, day by day.
    assert calendar.between(D(2025, 9, 1), D(2025, 9, 30)) == one_by_one(D(2025, 9, 1), D(2025, 9, 30))
