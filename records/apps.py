import logging

from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Signed records")

    def ready(self):
        # WeasyPrint reports every rendering step at INFO; keep its warnings (refused URLs) only.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        from audit import registry
        from records import checks  # noqa: F401  (registers the system check)
        from records.models import Record
        from records.services import on_item_decided
        from workflow.signals import item_decided

        item_decided.connect(on_item_decided, dispatch_uid="records-issue-on-decision")
        # The audit trail names a record by its number and title, linked to its item's page.
        registry.object_kind("records.record", _("Signed record"), lambda pks: {
            record.pk: (f"{record.number} {record.title}", reverse("workflow:item", args=[record.item_id]))
            for record in Record.objects.filter(pk__in=pks).only("pk", "item_id", "version", "kind", "title")})  # number is computed from these
