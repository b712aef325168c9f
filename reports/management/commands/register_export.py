import datetime
from pathlib import Path

from django.core.management.base import CommandError

from gongkai.commands import BaseCommand
from reports import services


def _date(value, option):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: not a date in the form YYYY-MM-DD: {value!r}") from None


class Command(BaseCommand):
    help = "Write the register (登记表) of the period as .xlsx: register_export --from YYYY-MM-DD --to YYYY-MM-DD --xlsx OUT"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD", help="first day of the period")
        parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD", help="last day of the period")
        parser.add_argument("--xlsx", dest="out", required=True, metavar="OUT", help="the .xlsx file to write")

    def handle(self, *args, date_from, date_to, out, **options):
        start, end = _date(date_from, "--from"), _date(date_to, "--to")
        if start > end:
            raise CommandError(f"--from {start} is after --to {end}")
        path = Path(out)
        if path.is_dir():
            raise CommandError(f"--xlsx {out}: is a directory")
        if not path.parent.is_dir():
            raise CommandError(f"--xlsx {out}: no such directory {path.parent}")
        try:
            size = services.export_register(actor=None, date_from=start, date_to=end, out=path, via="command")
        except OSError as error:
            raise CommandError(f"--xlsx {out}: cannot write: {error.strerror or error}") from None
        self.stdout.write(f"{path}: register {start}..{end}, {size} bytes")
