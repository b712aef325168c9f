from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Signed records")

    def ready(self):
        import logging

        # WeasyPrint reports every rendering step at INFO; keep its warnings (refused URLs) only.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        from records import checks  # noqa: F401  (registers the system check)
        from records.services import on_item_decided
        from workflow.signals import item_decided

        item_decided.connect(on_item_decided, dispatch_uid="records-issue-on-decision")
