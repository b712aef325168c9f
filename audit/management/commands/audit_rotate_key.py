from django.core.management.base import CommandError
from django.db import transaction

from audit import keys, services
from core.commands import BaseCommand


class Command(BaseCommand):
    help = (
        "Replace the checkpoint signing key with a new one; the old verifier key joins the published "
        "key history (/api/audit/key/history/), so earlier checkpoints keep verifying."
    )

    def handle(self, *args, **options):
        # The last checkpoint under the old key covers everything so far; the new key's first
        # checkpoint must then extend it like any other.
        try:
            services.checkpoint(reason="key rotation")
            old, new = keys.rotate()
        except (keys.RotationError, services.CheckpointRefused) as error:
            raise CommandError(str(error)) from None
        with transaction.atomic():
            services.record("audit.key_rotate", actor=None, object_type="audit.key", object_id=new.split("+")[1],
                            data={"old": old, "new": new})
        services.checkpoint(reason="key rotation")
        self.stdout.write(f"OK: new verifier key {new}")
        self.stdout.write(f"retired: {old} (kept in the key history)")
