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
