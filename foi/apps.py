from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoiConfig(AppConfig):
    name = "foi"
    verbose_name = _("Disclosure on application")

    def ready(self):
        # Letters to applicants verify at /verify/ and with record_verify like records do.
        from foi.letters import lookup
        from records.verification import DOCUMENT_LOOKUPS

        if lookup not in DOCUMENT_LOOKUPS:
            DOCUMENT_LOOKUPS.append(lookup)
