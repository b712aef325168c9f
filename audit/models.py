from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only event. `canonical` is the authoritative text, byte for byte what was hashed;
    the other columns repeat parts of it so auditors can filter without parsing JSON.
    Rows are written only by audit.services.record and never changed."""

    seq = models.BigIntegerField(_("sequence number"), primary_key=True)
    recorded_at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, db_index=True)
    actor_username = models.CharField(_("actor"), max_length=150)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    department = models.CharField(_("department"), max_length=32, blank=True, db_index=True)
    canonical = models.TextField(_("canonical event"))
    leaf_hash = models.CharField(_("leaf hash"), max_length=64, unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"#{self.seq} {self.action}"
