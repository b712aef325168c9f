from django.core.management.base import BaseCommand

from foi import services


class Command(BaseCommand):
    help = "Erase applicants' identity data of requests and complaints closed more than FOI_RETENTION_DAYS ago (audited, with a digest)."

    def handle(self, *args, **options):
        erased = services.erase_identity()
        self.stdout.write(f"erased: {erased}")
