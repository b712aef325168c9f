from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.db import transaction

from audit import conf, keys, services
from core.commands import BaseCommand


class Command(BaseCommand):
    help = (
        "Replace the checkpoint signing key with a new one; the old verifier key joins the published "
        "key history (/api/audit/key/history/), so earlier checkpoints keep verifying, and a statement "
        "signed by both keys (/api/audit/key/rotations/) lets witnesses follow. A key given by "
        "AUDIT_SIGNING_KEY needs --new-key-file; the command then says what to change in the environment."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key-file", metavar="PEM",
            help="the new Ed25519 key (PEM; created with mode 0600 if it does not exist); required when "
                 "the current key comes from AUDIT_SIGNING_KEY",
        )

    def handle(self, *args, **options):
        path = options["new_key_file"]
        from_environment = bool(conf.signing_key_text())
        # The last checkpoint under the old key covers everything so far; the new key's first
        # checkpoint must then extend it like any other.
        try:
            new_private = keys.key_from_file(path) if path else None
            services.checkpoint(reason="key rotation")
            old, new = keys.rotate(new_private)
        except (keys.RotationError, services.CheckpointRefused, ImproperlyConfigured, ValueError) as error:
            raise CommandError(str(error)) from None
        with transaction.atomic():
            services.record("audit.key_rotate", actor=None, object_type="audit.key", object_id=new.split("+")[1],
                            data={"old": old, "new": new})
        services.checkpoint(reason="key rotation")  # under the new key, or the old one until the restart
        if not from_environment:
            self.stdout.write(f"OK: new verifier key {new}")
            self.stdout.write(f"retired: {old} (kept in the key history)")
            return
        history = ",".join(dict.fromkeys([*conf.key_history_extra(), old]))
        self.stdout.write("OK: rotation statement signed by both keys, published at /api/audit/key/rotations/")
        self.stdout.write(f"new verifier key: {new}")
        self.stdout.write("The old key keeps signing until the restart. Now, for every process (web, worker, beat):")
        self.stdout.write(f"  AUDIT_SIGNING_KEY: the contents of {path}")
        self.stdout.write(f"  AUDIT_KEY_HISTORY={history}")
        self.stdout.write(f"then restart them, and keep {path} only where you keep secrets.")
