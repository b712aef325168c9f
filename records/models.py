from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Record(models.Model):
    """One signed PDF record of a decision on a disclosure item: exactly one per item, version and
    kind. The file lives under RECORDS_DIR (outside the web root) and is served only through the
    record view; `sha256` is the hash of the signed file, byte for byte."""

    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("Publication")
        REFUSAL = "refusal", _("Refusal")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    item = models.ForeignKey(
        "workflow.DisclosureItem", on_delete=models.PROTECT, related_name="records", verbose_name=_("item")
    )
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    path = models.CharField(_("file"), max_length=300, help_text=_("Relative to RECORDS_DIR."))
    signer_fingerprint = models.CharField(_("signer certificate SHA-256"), max_length=64)
    signer_subject = models.CharField(_("signer"), max_length=300)
    timestamped = models.BooleanField(_("timestamped (PAdES B-T)"), default=False)
    event_seqs = models.JSONField(_("audit events covered"), default=list)
    checkpoint_size = models.BigIntegerField(_("checkpoint tree size"))
    checkpoint_root = models.CharField(_("checkpoint root"), max_length=64)
    issued_at = models.DateTimeField(_("issued"))
    audit_seq = models.BigIntegerField(_("issue event"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("record")
        verbose_name_plural = _("records")
        constraints = [
            models.UniqueConstraint(fields=["item", "version", "kind"], name="one_record_per_item_version_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · item {self.item_id} v{self.version}"

    @property
    def number(self):
        return record_number(self.item_id, self.version, self.kind)

    @property
    def file_path(self):
        return settings.RECORDS_DIR / self.path


KIND_LETTERS = {"publication": "P", "refusal": "R", "withdrawal": "W"}


def record_number(item_id, version, kind):
    return f"GK-{item_id:06d}-V{version}-{KIND_LETTERS[kind]}"
