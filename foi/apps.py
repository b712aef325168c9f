from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoiConfig(AppConfig):
    name = "foi"
    verbose_name = _("Disclosure on application")

    def ready(self):
        from django.conf import settings

        from foi.letters import lookup
        from core.env import env_int
        from records.verification import DOCUMENT_LOOKUPS

        # Letters to applicants verify at /verify/ and with record_verify like records do.
        if lookup not in DOCUMENT_LOOKUPS:
            DOCUMENT_LOOKUPS.append(lookup)
        # Letters promised but not issued, and identity data past retention (FOI_HOUSEKEEPING_SECONDS).
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "foi-housekeeping",
            {"task": "foi.tasks.housekeeping", "schedule": float(env_int("FOI_HOUSEKEEPING_SECONDS", 600))},
        )
