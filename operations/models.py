from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Repair(models.Model):
    """The reconciler's bookkeeping for one piece of overdue work (an item stuck in `publishing`,
    a decided item without its record): attempts, backoff and whether the alarm was raised. The
    work itself is implied by the item's state (workflow) and the records that exist (records)."""

    kind = models.CharField(_("kind"), max_length=32)
    object_id = models.BigIntegerField(_("object"))
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    repaired_at = models.DateTimeField(_("repaired"), null=True, blank=True)
    alarmed_at = models.DateTimeField(_("alarm raised"), null=True, blank=True)

    class Meta:
        verbose_name = _("repair")
        verbose_name_plural = _("repairs")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_repair_per_kind_and_object")]


class Alarm(models.Model):
    """Something an operator must look at (a refused audit checkpoint, a repair that keeps failing).
    Shown on the office's health page and by `manage.py doctor` until resolved."""

    key = models.CharField(max_length=100, unique=True)
    title = models.CharField(_("alarm"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    times = models.PositiveIntegerField(_("times"), default=1)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")

    def __str__(self):
        return self.title


class Heartbeat(models.Model):
    """The last time a process showed it is alive (`worker`, `beat`) or a check ran
    (`audit_verify`, with its outcome in `detail`)."""

    name = models.CharField(max_length=32, primary_key=True)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict)

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
