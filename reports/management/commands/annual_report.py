from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from core.commands import BaseCommand
from reports import annual, cli


class Command(BaseCommand):
    help = (
        "Write the annual report (信息公开工作年度报告) of the period as PDF, with the register as annex: "
        "annual_report --from YYYY-MM-DD --to YYYY-MM-DD --pdf OUT [--xlsx OUT] [--text NARRATIVE.json] [--draft-as USERNAME]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--pdf", required=True, metavar="OUT", help="the PDF to write")
        parser.add_argument("--xlsx", metavar="OUT", help="also write the register of the period (.xlsx)")
        parser.add_argument(
            "--draft-as", metavar="USERNAME",
            help="also draft the report as catalogue item 6 (信息公开年度报告), PDF attached, as this liaison",
        )
        parser.add_argument(
            "--text", metavar="FILE", help='the office\'s narrative: JSON {"overview", "practices", "other"}'
        )

    def handle(self, *args, date_from, date_to, pdf, xlsx=None, text=None, draft_as=None, **options):
        start, end = cli.period(date_from, date_to)
        pdf_path = cli.output_path(pdf, "--pdf")
        xlsx_path = cli.output_path(xlsx, "--xlsx") if xlsx else None
        narrative = None  # the latest version stored for the period on the annual report page
        drafter = None
        if draft_as:
            from django.contrib.auth import get_user_model

            from policies.access import can
            from workflow.models import CatalogueEntry

            drafter = get_user_model().objects.filter(username=draft_as, is_active=True).first()
            entry = CatalogueEntry.objects.select_related("department").filter(code="6").first()
            if entry is None:
                raise CommandError("--draft-as: the catalogue has no entry 6 (信息公开年度报告)")
            if drafter is None or not can(drafter, "draft_items", entry.department):
                raise CommandError(f"--draft-as {draft_as}: not a user who drafts items for {entry.department.name}")
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
        if drafter is not None:
            item = annual.draft_as_catalogue_item(
                actor=drafter, date_from=start, date_to=end, pdf=pdf_path.read_bytes(), issued_on=timezone.localdate(),
            )
            self.stdout.write(f"drafted as catalogue item 6: item {item.pk} (/workflow/items/{item.pk}/), for review and publication")
