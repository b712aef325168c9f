"""Argument checks the reports' commands share: one clear CommandError line for a user's mistake."""

import datetime
from pathlib import Path

from django.core.management.base import CommandError

from core.inputs import DATE_MAX, DATE_MIN


def parse_date(value, option):
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: not a date in the form YYYY-MM-DD: {value!r}") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise CommandError(f"{option} {value}: give a date between {DATE_MIN} and {DATE_MAX}")
    return day


def period(date_from, date_to):
    start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if start > end:
        raise CommandError(f"--from {start} is after --to {end}")
    return start, end


def output_path(out, option):
    """A file the command may create: not a directory, in a directory that exists."""
    path = Path(out)
    if path.is_dir():
        raise CommandError(f"{option} {out}: is a directory")
    if not path.parent.is_dir():
        raise CommandError(f"{option} {out}: no such directory {path.parent}")
    return path
