"""Django admin changes (LogEntry rows) become audit events in the admin's own transaction.

Single changes arrive through post_save; the admin writes several at once (bulk actions such as
"delete selected") with bulk_create, which sends no signal, so LogEntryManager.log_actions is
wrapped to record those too."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry, LogEntryManager
from django.db.models.signals import post_save

from audit.services import record

_ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}


def record_log_entry(entry):
    content_type = entry.content_type
    record(
        _ACTIONS.get(entry.action_flag, "admin.other"),
        actor=entry.user,
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=entry.object_id or "",
        data={"repr": entry.object_repr[:200], "change": entry.change_message[:1000]},
    )


def _saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record_log_entry(instance)


def install():
    post_save.connect(_saved, sender=LogEntry, dispatch_uid="audit.admin_log")
    original = LogEntryManager.log_actions
    if getattr(original, "_audited", False):
        return

    def log_actions(self, user_id, queryset, action_flag, change_message="", *, single_object=False):
        entries = original(self, user_id, queryset, action_flag, change_message, single_object=single_object)
        if isinstance(entries, list) and len(entries) > 1:  # bulk_create: no post_save was sent
            for entry in entries:
                record_log_entry(entry)
        return entries

    log_actions._audited = True
    LogEntryManager.log_actions = log_actions
