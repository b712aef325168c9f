from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("History import")

    def ready(self):
        from django.urls import reverse

        from audit import registry
        from imports.models import ImportBatch

        # The trail names a batch the reconciler finished by its file, linked to its page.
        registry.object_kind("imports.importbatch", _("History import"), lambda pks: {
            batch.pk: (batch.file_name, reverse("imports:batch", args=[batch.pk]))
            for batch in ImportBatch.objects.filter(pk__in=pks).only("pk", "file_name")})
