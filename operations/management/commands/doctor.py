import json
import sys

from core.commands import BaseCommand
from operations.health import all_checks


class Command(BaseCommand):
    help = (
        "The installation's health: database, broker, worker and beat heartbeats, overdue jobs, items "
        "missing records, owed e-mail, record files, audit verification and checkpoint, disk, fonts, open alarms; "
        "exit 0 iff all is well."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        checks = all_checks(run_verification=True)
        ok = all(check.ok for check in checks)
        if options["json"]:
            self.stdout.write(json.dumps({"ok": ok, "checks": [c.as_json() for c in checks]}, ensure_ascii=False))
        else:
            for check in checks:
                self.stdout.write(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
            self.stdout.write("OK" if ok else "NOT OK")
        if not ok:
            sys.exit(1)
