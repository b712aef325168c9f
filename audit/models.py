from django.conf import settings
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


class AuditNode(models.Model):
    """A complete perfect subtree of the Merkle tree: 2**level leaves ending at leaf number `upto`
    (its index at that level is upto // 2**level - 1). Written once, in the transaction of the
    event that completes it; level 0 (the leaves) lives in AuditEvent.leaf_hash.
    Keyed (upto, level) so a scan in key order meets nodes in the order a verifier completes them."""

    pk = models.CompositePrimaryKey("upto", "level")
    upto = models.BigIntegerField()
    level = models.SmallIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("Merkle tree node")
        verbose_name_plural = _("Merkle tree nodes")

    @property
    def index(self):
        return (self.upto >> self.level) - 1


class AuditCheckpoint(models.Model):
    """A signed note (C2SP tlog-checkpoint) committing to the first `tree_size` events."""

    id = models.BigAutoField(primary_key=True)
    tree_size = models.BigIntegerField(_("tree size"), db_index=True)
    root_hash = models.CharField(_("root hash"), max_length=64)
    note = models.TextField(_("signed note"))
    reason = models.CharField(_("reason"), max_length=64)
    created_at = models.DateTimeField(_("signed at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self):
        return f"checkpoint {self.tree_size} {self.root_hash[:12]}"


class AuditExport(models.Model):
    """An auditor's export bundle, built by a background job into AUDIT_EXPORT_DIR (a million events
    take half a minute: too long to hold a web worker and a proxy connection)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Could not be built")
        EXPIRED = "expired", _("Removed (older than a week)")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=128, blank=True)
    tree_size = models.BigIntegerField(_("events"), null=True, blank=True)
    size_bytes = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"]), models.Index(fields=["state", "requested_at"])]
        verbose_name = _("audit export")
        verbose_name_plural = _("audit exports")

    def __str__(self):
        return f"audit export {self.pk} ({self.state})"

    @property
    def in_progress(self):
        return self.state in (self.State.QUEUED, self.State.RUNNING)
