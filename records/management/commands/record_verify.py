import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation

from core.commands import BaseCommand
from records.verification import verify_pdf


class Command(BaseCommand):
    help = "Verify a record PDF: exit 0 iff its signature is valid, it is unchanged since signing, and it is a record this system issued."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.pdf")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            if path.stat().st_size > settings.RECORDS_VERIFY_MAX_BYTES:
                raise CommandError(f"{path}: larger than {settings.RECORDS_VERIFY_MAX_BYTES} bytes, not a record")
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise CommandError(f"{path}: is a directory") from None
        except PermissionError:
            raise CommandError(f"{path}: permission denied") from None
        with translation.override("en"):
            verdict = verify_pdf(data)
            if options["json"]:
                self.stdout.write(json.dumps(verdict.as_json(), ensure_ascii=False, sort_keys=True))
            else:
                self._report(verdict)
        if not verdict.ok:
            self.stderr.write("record_verify: NOT VALID: " + " ".join(verdict.messages()))
            raise SystemExit(1)

    def _report(self, verdict):
        yes = lambda flag: "yes" if flag else "NO"  # noqa: E731
        lines = [
            f"file sha256:       {verdict.sha256}",
            f"signature valid:   {yes(verdict.signature_valid)}" + (f" ({verdict.signer})" if verdict.signer else ""),
            f"trusted signer:    {yes(verdict.trusted)}",
            f"whole file signed: {yes(verdict.whole_document)}",
            f"issued here:       {yes(verdict.known)}",
            f"events in signed checkpoint: {yes(verdict.events_included)}",
        ]
        if verdict.record:
            r = verdict.record
            where = f" item {r['item']} v{r['version']}" if r.get("item") else ""
            lines.append(f"record:            {r['number']}{where} {r['kind']} — {r['title']}")
        if verdict.checkpoint:
            c = verdict.checkpoint
            lines.append(f"checkpoint:        {c['origin']} size {c['size']} root {c['root']}")
        for message in verdict.messages():
            lines.append(f"problem:           {message}")
        lines.append("VALID" if verdict.ok else "NOT VALID")
        self.stdout.write("\n".join(lines))
