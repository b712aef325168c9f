import os

from django.core.management.base import CommandError

from audit.witness import Api, WitnessError, witness
from core.commands import BaseCommand


class Command(BaseCommand):
    help = (
        "Check the audit log's latest signed checkpoint against the one kept in --state (signature and "
        "consistency proof), then keep the new one. Token: --token or GONGKAI_API_TOKEN."
    )

    def add_arguments(self, parser):
        parser.add_argument("--state", required=True, help="JSON file keeping the last checkpoint seen")
        parser.add_argument("--url", required=True, help="the site's address, e.g. https://gongkai.example.edu.cn/")
        parser.add_argument("--token", help="API token of an auditor (default: $GONGKAI_API_TOKEN)")
        parser.add_argument("--key", help="pin this verifier key (NAME+KEYID+BASE64) instead of trusting on first use")
        parser.add_argument("--peer", help="another auditor's state file: its checkpoint must be consistent with ours")

    def handle(self, *args, **options):
        token = options["token"] or os.environ.get("GONGKAI_API_TOKEN")
        api = Api(options["url"], token=token)
        try:
            previous, size, root = witness(api, options["state"], key=options["key"], peer_path=options["peer"])
        except WitnessError as error:
            raise CommandError(str(error)) from None
        if previous is None:
            self.stdout.write(f"OK: kept the first checkpoint, {size} events, root {root}")
        else:
            self.stdout.write(f"OK: {size} events (was {previous}), consistent, root {root}")
