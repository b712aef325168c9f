from django.apps import AppConfig
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.env import env_int


class FoiConfig(AppConfig):
    name = "foi"
    verbose_name = _("Disclosure on application")

    def ready(self):
        from audit import registry
        from foi.letters import lookup
        from foi.models import InformationRequest
        from records.verification import DOCUMENT_LOOKUPS

        # Letters to applicants verify at /verify/ and with record_verify like records do.
        if lookup not in DOCUMENT_LOOKUPS:
            DOCUMENT_LOOKUPS.append(lookup)
        # Letters promised but not issued, and identity data past retention (FOI_HOUSEKEEPING_SECONDS).
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "foi-housekeeping",
            {"task": "foi.tasks.housekeeping", "schedule": float(env_int("FOI_HOUSEKEEPING_SECONDS", 600))},
        )
        # The audit trail names requests by their number, linked to their page.
        registry.object_kind("foi.informationrequest", _("Request for information"), lambda pks: {
            request.pk: (request.number, reverse("foi:detail", args=[request.pk]))
            for request in InformationRequest.objects.filter(pk__in=pks).only("pk", "number")})
        registry.object_kind("foi.complaint", _("Complaint"))
        registry.object_kind("foi.evaluation", _("Evaluation"))
