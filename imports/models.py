"""One run of the history import (迁移导入) from the office's page: its files, its progress and its
outcome. The command line runs the same import without a row here."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CHECKING = "checking", _("Checking")
        INVALID = "invalid", _("Errors found: nothing imported")
        CHECKED = "checked", _("Checked (trial run): nothing imported")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64)
    attachments_name = models.CharField(_("attachments"), max_length=255, blank=True)
    dry_run = models.BooleanField(_("trial run"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")

    def __str__(self):
        return self.file_name

    @property
    def percent(self):
        if self.status in (self.Status.DONE, self.Status.CHECKED, self.Status.INVALID):
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.CHECKED, self.Status.INVALID, self.Status.FAILED)
