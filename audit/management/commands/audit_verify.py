import json
import sys

from core.commands import BaseCommand

from audit.signals import log_verified
from audit.verify import verify_log


class Command(BaseCommand):
    help = "Verify the whole audit log from its rows; exit 0 iff it verifies."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        result = verify_log()
        log_verified.send(sender=self.__class__, result=result)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json()))
        else:
            status = "OK" if result.ok else "FAILED"
            self.stdout.write(
                f"{status}: {result.size} events, root {result.root}, "
                f"{result.checkpoints_verified} checkpoints verified"
            )
            if result.first_bad_seq is not None:
                self.stdout.write(f"first bad sequence number: {result.first_bad_seq}")
        for problem in result.problems[:20]:
            self.stderr.write(problem)
        if not result.ok:
            sys.exit(1)
