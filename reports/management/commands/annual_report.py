from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from gongkai.commands import BaseCommand
from reports import annual, cli


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
        start, end = cli.period(date_from, date_to)
        pdf_path = cli.output_path(pdf, "--pdf")
        xlsx_path = cli.output_path(xlsx, "--xlsx") if xlsx else None
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
