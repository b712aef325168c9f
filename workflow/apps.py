from django.apps import AppConfig
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.env import env_int


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Disclosure workflow")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from audit import labels, registry
        from workflow.channels import channel_names
        from workflow.models import CatalogueEntry, DisclosureItem, OutgoingMail
        from workflow.transitions import EVENT_LABELS

        from policies.signals import delegation_ended
        from workflow.services import tell_delegation_ended

        delegation_ended.connect(tell_delegation_ended, dispatch_uid="workflow-delegation-ended")
        labels.register(EVENT_LABELS)  # the audit trail names each transition as the table does
        # ... and names items (linked to their page), catalogue entries, channels and item fields.
        registry.object_kind("workflow.disclosureitem", _("Disclosure item"), lambda pks: {
            item.pk: (item.title, reverse("workflow:item", args=[item.pk]))
            for item in DisclosureItem.objects.filter(pk__in=pks).only("pk", "title")})
        registry.object_kind("workflow.catalogueentry", _("Catalogue item"), lambda pks: {
            entry.pk: (f"{entry.code}. {entry.title}", None) for entry in CatalogueEntry.objects.filter(pk__in=pks)})
        registry.object_kind("workflow.outgoingmail", _("E-mail"), lambda pks: {  # sent by the reconciler
            mail.pk: (mail.subject, None) for mail in OutgoingMail.objects.filter(pk__in=pks).only("pk", "subject")})
        registry.object_kind("portal.channel", _("Channel"))  # channels kept the type they had in portal
        registry.values("channels", channel_names)
        registry.values("fields", lambda: {
            **{f.name: f.verbose_name for f in DisclosureItem._meta.fields}, "attachments": _("attachments")})

        # Reminders, escalation and scheduled publications: one periodic scan (celery beat, or the
        # in-process scheduler of ./bin/serve). WORKFLOW_SCAN_SECONDS, default 60.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "workflow-scan-due",
            {"task": "workflow.tasks.scan_due", "schedule": float(env_int("WORKFLOW_SCAN_SECONDS", 60))},
        )
