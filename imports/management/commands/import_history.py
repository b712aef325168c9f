from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from core.commands import BaseCommand
from imports import services


class Command(BaseCommand):
    help = (
        "Import past publications (迁移导入) from the template's .xlsx (sheets 事项 and 发布记录): "
        "import_history FILE.xlsx [--attachments DIR_OR_ZIP] [--dry-run] [--by USERNAME]"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.xlsx")
        parser.add_argument("--attachments", metavar="DIR_OR_ZIP", help="the files named in the 附件 column")
        parser.add_argument("--dry-run", action="store_true", help="check the file and print the counts; write nothing")
        parser.add_argument("--by", metavar="USERNAME", help="the disclosure-office user who imports (default: the first one)")

    def handle(self, *args, file, attachments=None, dry_run=False, by=None, **options):
        if by:
            actor = get_user_model().objects.filter(username=by).first()
            if actor is None or not services.may_import(actor):
                raise CommandError(f"--by {by}: not an active disclosure-office user")
        else:
            actor = services.default_importer()
            if actor is None and not dry_run:
                raise CommandError("no active disclosure-office user to import as: create one or pass --by USERNAME")
        try:
            plan = services.check(file, attachments=attachments)
        except services.ImportFileError as error:
            raise CommandError(str(error)) from None
        if plan.errors:
            for line in plan.errors:
                self.stderr.write(line)
            raise CommandError(f"{len(plan.errors)} errors{'+' if len(plan.errors) >= services.MAX_ERRORS else ''}: nothing imported")
        counts = plan.counts
        if not dry_run:
            from django.db import IntegrityError

            try:
                services.write(plan, actor=actor, attachments=attachments, via="command")
            except IntegrityError:
                # Another import wrote some of the same 外部编号 meanwhile: what this one committed
                # stays (whole chunks), and a second run skips what is there and finishes the rest.
                raise CommandError("another import of the same rows ran at the same time: run this one again to finish it") from None
        verb = "would import" if dry_run else "imported"
        self.stdout.write(
            f"{verb}: {counts['items']} items, {counts['posts']} channel posts; "
            f"already imported (unchanged): {counts['items_existing']} items, {counts['posts_existing']} posts; "
            f"rows read: {counts['rows']}"
        )
