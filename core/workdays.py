"""Working-day arithmetic (the one implementation): Monday–Friday are working days except where the
calendar says otherwise. The calendar is input — `overrides` {date: is_workday} for the days that
differ from Monday–Friday (holidays, make-up working weekends) — so this module needs no database;
workflow.workdays reads the office's calendar table into it."""

import datetime

ONE_DAY = datetime.timedelta(days=1)


class Calendar:
    """`overrides` must cover every day the arithmetic will look at between `start` and `end`
    (exclusive of `start`); `known_years` (optional) are the years whose holidays are known: a
    deadline that counts a day of another year is provisional."""

    def __init__(self, overrides, start, end, known_years=None):
        self.overrides, self.start, self.end = overrides, start, end
        self.known_years = known_years
        self._counts = None

    def covers(self, start, end):
        return self.start <= start and end <= self.end

    def is_workday(self, day):
        return self.overrides.get(day, day.weekday() < 5)

    def between(self, start, end):
        """Working days strictly after `start` up to and including `end` (negative if end < start)."""
        if end < start:
            return -self.between(end, start)
        if self.covers(start, end):
            # Reports count thousands of pairs over a year or more: a running count read twice.
            running = self._running()
            return running[(end - self.start).days] - running[(start - self.start).days]
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        return count

    def _running(self):
        """[working days strictly after `self.start` up to and including each day], built once."""
        if self._counts is None:
            counts, day = [0], self.start
            while day < self.end:
                day += ONE_DAY
                counts.append(counts[-1] + self.is_workday(day))
            self._counts = counts
        return self._counts

    def add(self, start, n):
        """The date `n` working days strictly after `start`, and whether it is provisional (a day
        counted lies in a year not in `known_years`). None when the calendar ends first."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, counted, provisional = start, 0, False
        while counted < n:
            day += ONE_DAY
            if day > self.end:
                return None
            if self.known_years is not None and day.year not in self.known_years:
                provisional = True
            if self.is_workday(day):
                counted += 1
        return day, provisional


def horizon(start, n):
    """A date that n working days after `start` never pass in China (the longest run of holidays
    is about 9 days): how far a calendar must reach for `Calendar.add(start, n)`."""
    return start + datetime.timedelta(days=2 * n + 40)
