from django.core.management.base import CommandError

from core.commands import BaseCommand
from reports import cli, services


class Command(BaseCommand):
    help = "Write the register (登记表) of the period as .xlsx: register_export --from YYYY-MM-DD --to YYYY-MM-DD --xlsx OUT"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD", help="first day of the period")
        parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD", help="last day of the period")
        parser.add_argument("--xlsx", dest="out", required=True, metavar="OUT", help="the .xlsx file to write")

    def handle(self, *args, date_from, date_to, out, **options):
        start, end = cli.period(date_from, date_to)
        path = cli.output_path(out, "--xlsx")
        try:
            size = services.export_register(actor=None, date_from=start, date_to=end, out=path, via="command")
        except OSError as error:
            raise CommandError(f"--xlsx {out}: cannot write: {error.strerror or error}") from None
        self.stdout.write(f"{path}: register {start}..{end}, {size} bytes")
