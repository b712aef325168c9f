import json
import sys

from core.commands import BaseCommand
from operations.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Find and finish overdue background work (publications stuck in publishing, decided items "
        "without their record), idempotently; exit 0 iff nothing overdue is left."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only report what is overdue")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--workers", type=int, default=1, help="render records in this many processes (default 1)")

    def handle(self, *args, **options):
        outcome = reconcile(dry_run=options["dry_run"], workers=max(1, options["workers"]))
        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            found = ", ".join(f"{kind} {n}" for kind, n in outcome.found.items() if n) or "nothing"
            self.stdout.write(f"overdue: {found}")
            if not options["dry_run"]:
                repaired = ", ".join(f"{kind} {n}" for kind, n in outcome.repaired.items() if n) or "nothing"
                self.stdout.write(f"repaired: {repaired}")
            for failure in outcome.failed:
                self.stderr.write(f"failed: {failure['kind']} of item {failure['object']}: {failure['error']}")
            if outcome.busy:
                self.stderr.write("another reconciler is running; nothing was repaired")
        if outcome.left:
            sys.exit(1)
