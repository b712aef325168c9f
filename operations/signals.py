"""What operations hears from the other apps and from Celery."""

import logging

from celery.signals import beat_init, before_task_publish
from django.dispatch import receiver
from django.utils.translation import gettext as _

from audit.signals import checkpoint_refused, log_verified
from operations.alarms import raise_alarm
from operations.heartbeats import beat

log = logging.getLogger(__name__)
_in_beat = False


@receiver(checkpoint_refused)
def _alarm_on_refused_checkpoint(sender, reason, message, **kwargs):
    try:
        raise_alarm(
            "audit:checkpoint-refused",
            _("The audit log does not extend its last signed checkpoint: signing refused"),
            message,
            audience="audit",
        )
    except Exception:  # inside a failing transaction: the next periodic checkpoint raises it again
        log.exception("could not record the alarm for a refused checkpoint: %s", message)


@receiver(log_verified)
def _remember_verification(sender, result, **kwargs):
    beat("audit_verify", {"ok": result.ok, "size": result.size, "first_bad_seq": result.first_bad_seq,
                          "unanchored": result.unanchored})


@beat_init.connect
def _mark_beat_process(sender=None, **kwargs):
    global _in_beat
    _in_beat = True


@before_task_publish.connect
def _beat_heartbeat(sender=None, **kwargs):
    """Each message celery beat sends shows beat is alive."""
    if not _in_beat:
        return

    try:
        beat("beat")
    except Exception:
        log.exception("could not record the beat heartbeat")
