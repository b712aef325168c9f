import datetime
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from gongkai.commands import BaseCommand
from reports import annual


def _date(value, option):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: not a date in the form YYYY-MM-DD: {value!r}") from None


def _target(out, option):
    path = Path(out)
    if path.is_dir():
        raise CommandError(f"{option} {out}: is a directory")
    if not path.parent.is_dir():
        raise CommandError(f"{option} {out}: no such directory {path.parent}")
    return path


class Command(BaseCommand):
    help = (
        "Write the annual report (信息公开工作年度报告) of the period as PDF, with the register as annex: "
        "annual_report --from YYYY-MM-DD --to YYYY-MM-DD --pdf OUT [--xlsx OUT] [--text NARRATIVE.json]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--pdf", required=True, metavar="OUT", help="the PDF to write")
        parser.add_argument("--xlsx", metavar="OUT", help="also write the register of the period (.xlsx)")
        parser.add_argument(
            "--text", metavar="FILE", help='the office\'s narrative: JSON {"overview", "practices", "other"}'
        )

    def handle(self, *args, date_from, date_to, pdf, xlsx=None, text=None, **options):
        start, end = _date(date_from, "--from"), _date(date_to, "--to")
        if start > end:
            raise CommandError(f"--from {start} is after --to {end}")
        pdf_path = _target(pdf, "--pdf")
        xlsx_path = _target(xlsx, "--xlsx") if xlsx else None
        narrative = {key: "" for key in annual.NARRATIVE_KEYS}
        if text:
            try:
                narrative = annual.read_narrative(Path(text).read_text(encoding="utf-8"))
            except OSError as error:
                raise CommandError(f"--text {text}: cannot read: {error.strerror or error}") from None
            except (UnicodeDecodeError, annual.NarrativeError) as error:
                raise CommandError(f"--text {text}: {error}") from None
        try:
            written = annual.export(
                actor=None, date_from=start, date_to=end, pdf_out=pdf_path, xlsx_out=xlsx_path,
                narrative=narrative, issued_on=timezone.localdate(),
            )
        except OSError as error:
            raise CommandError(f"cannot write: {error.strerror or error}") from None
        for path, size in written:
            self.stdout.write(f"{path}: {size} bytes")
