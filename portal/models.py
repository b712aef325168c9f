"""The public site's own data: the office's records of where each published item went (on the
channels of workflow.Channel), the disclosure guide, the search index and the counter that
versions the public pages' cache. Posts are written only through portal.services (audited)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChannelPostQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)


class ChannelPost(models.Model):
    """One post of a published item on a channel: its link or a reference (校报 issue, meeting), and
    when it went out. A mistaken record is removed (kept, with who and why), never deleted."""

    item = models.ForeignKey("workflow.DisclosureItem", on_delete=models.PROTECT, related_name="channel_posts", verbose_name=_("item"))
    channel = models.ForeignKey("workflow.Channel", on_delete=models.PROTECT, related_name="posts", verbose_name=_("channel"))
    url = models.URLField(_("link"), max_length=500, blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True, help_text=_("Where to find it when there is no link, e.g. an issue number."))
    posted_at = models.DateTimeField(_("posted"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_reason = models.CharField(_("reason for removal"), max_length=300, blank=True)

    objects = ChannelPostQuerySet.as_manager()

    class Meta:
        ordering = ["item", "channel__order", "posted_at", "id"]
        verbose_name = _("channel post")
        verbose_name_plural = _("channel posts")
        # Reports count posts by their own date within a period.
        indexes = [models.Index(fields=["item", "removed_at"]), models.Index(fields=["posted_at"])]

    def __str__(self):
        return f"{self.item_id} @ {self.channel_id}"


class SiteVersion(models.Model):
    """One row whose token changes whenever something public changes (a publication, a withdrawal,
    a record, the catalogue). Public pages are cached under the current token, so every process
    (web workers, the Celery worker that publishes) sees a change without a shared cache. A random
    token rather than a counter: a rolled-back change can never bring an old value back."""

    token = models.CharField(max_length=32, default="0")
    changed_at = models.DateTimeField(null=True, blank=True)
    # The token of the newest PublicTakedown: a page keeps the one it was rendered under, which
    # tells what was taken away since (portal.cache).
    takedown_token = models.CharField(max_length=32, default="0")

    class Meta:
        verbose_name = _("public site version")


class PublicTakedown(models.Model):
    """Something public taken away: an item withdrawn or superseded, or one of its posts taken off a
    channel; or, with no item, a database the cache has not seen, found at a migrate (a restore:
    anything may differ). A page kept from before is served while it renders anew only if nothing
    taken down since shows on it (portal.cache)."""

    token = models.CharField(max_length=32, unique=True)
    # SET_NULL: an item deleted after its takedown leaves a row that refuses every page from before.
    item = models.ForeignKey("workflow.DisclosureItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("public takedown")
        verbose_name_plural = _("public takedowns")


class PublicItemChange(models.Model):
    """The site token of the last change to what a public item's own page shows (the item, its
    record, its channels). A page of an older site token is served while it renders anew only if
    its item's row still holds the token read before that page was rendered (portal.cache)."""

    item = models.OneToOneField("workflow.DisclosureItem", on_delete=models.CASCADE, primary_key=True, related_name="+")
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("public item change")
        verbose_name_plural = _("public item changes")


class GuideVersion(models.Model):
    """One version of the 信息公开指南 (the disclosure guide). The office edits it through
    portal.services.edit_guide; the public page shows the latest, and every version is kept."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    body = models.TextField(_("text"), help_text=_("Sanitised HTML."))
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("edited by"))
    edited_at = models.DateTimeField(_("edited"), default=timezone.now)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("disclosure guide version")
        verbose_name_plural = _("disclosure guide versions")


class SearchDocument(models.Model):
    """A public item's words for full-text search (portal.search), segmented with jieba. The
    database indexes them: on PostgreSQL a generated tsvector column `vector` with a GIN index, on
    SQLite the FTS5 table portal_search_fts kept in step by triggers (both made by migration 0005,
    not declared here)."""

    item = models.OneToOneField("workflow.DisclosureItem", on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    title_words = models.TextField()
    body_words = models.TextField()
    # The item's, copied so that the newest matches are found in this table's own index
    # (portal.search ranks the newest CANDIDATES matches). Set for every entry (public items only).
    published_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["-published_at", "-item"], name="search_newest")]
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")


class PublicCount(models.Model):
    """How many public items a catalogue entry has: the column's per-category counts. Kept by
    database triggers on the items' table (portal.counts, migration 0007), never written here."""

    entry = models.OneToOneField("workflow.CatalogueEntry", on_delete=models.CASCADE, primary_key=True, related_name="public_count")
    items = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("public item count")
        verbose_name_plural = _("public item counts")
