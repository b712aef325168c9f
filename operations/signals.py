"""What operations hears from the other apps and from Celery."""

import logging

from celery.signals import beat_init, before_task_publish
from django.conf import settings
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from audit.signals import checkpoint_refused, log_verified
from operations.alarms import raise_alarm, resolve
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


# One alarm for a log that does not verify, resolved by the next verification that passes.
LOG_DOES_NOT_VERIFY = "audit:log-does-not-verify"


@receiver(log_verified)
def _remember_verification(sender, result, **kwargs):
    """Whoever verified the whole log (audit_verify, the doctor, the periodic job): the health
    check shows when and how; a log that does not verify tells auditors and the office."""
    beat("audit_verify", {"ok": result.ok, "size": result.size, "first_bad_seq": result.first_bad_seq,
                          "unanchored": result.unanchored})
    if result.ok:
        resolve(LOG_DOES_NOT_VERIFY)
        return
    with translation.override(settings.LANGUAGE_CODE):  # stored text, read by others
        detail = (_("From event %(seq)s on, the log differs from what was recorded and signed.") % {"seq": result.first_bad_seq}
                  if result.first_bad_seq is not None else _("The log differs from what was recorded and signed."))
        raise_alarm(LOG_DOES_NOT_VERIFY, _("The audit log does not verify"), detail, audience="audit")


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
