"""What the office keeps for its annual reports: the key areas (重点领域) and which catalogue
entries each covers, the narrative of each report period (every save a new version), and figures
the records cannot know (hotline calls, printed handbooks …)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportArea(models.Model):
    """A key area of section 三 (重点领域信息公开情况): the catalogue categories and entries it covers.
    An item counts in an area when its entry is listed or its entry's category is."""

    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    # By number and code (not foreign keys): seeded before the catalogue exists, and an entry the
    # office retires simply stops matching.
    category_numbers = models.CharField(_("catalogue categories"), max_length=100, blank=True, help_text=_("Category numbers, comma-separated, e.g. 2"))
    entry_codes = models.CharField(_("catalogue entries"), max_length=300, blank=True, help_text=_("Entry codes, comma-separated, e.g. 31,32,33"))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("key area")
        verbose_name_plural = _("key areas")

    def __str__(self):
        return self.name

    @staticmethod
    def _split(text):
        return [part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip()]

    def covers(self, entry):
        return str(entry.category.number) in self._split(self.category_numbers) or entry.code in self._split(self.entry_codes)


class ReportNarrative(models.Model):
    """The office's words for one report period. Never changed: saving writes the next version."""

    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    version = models.PositiveIntegerField(_("version"))
    texts = models.JSONField(_("texts"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["date_from", "date_to", "-version"]
        verbose_name = _("report narrative")
        verbose_name_plural = _("report narratives")
        constraints = [models.UniqueConstraint(fields=["date_from", "date_to", "version"], name="one_narrative_version_per_period")]

    def __str__(self):
        return f"{self.date_from}–{self.date_to} v{self.version}"


class ReportFigure(models.Model):
    """A figure of a report period that the records cannot know, e.g. 资助热线来电 1306 次."""

    class Section(models.TextChoices):
        OVERVIEW = "overview", _("1. Overview")
        PROACTIVE = "proactive", _("2. Proactive disclosure")
        AREAS = "areas", _("3. Key areas")
        REQUESTS = "requests", _("4. Disclosure on application")
        EVALUATION = "evaluation", _("5. Evaluation")
        COMPLAINTS = "complaints", _("6. Complaints")
        OTHER = "other", _("8. Other matters")

    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    section = models.CharField(_("section"), max_length=16, choices=Section.choices, default=Section.OTHER)
    name = models.CharField(_("name"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["date_from", "section", "order", "id"]
        verbose_name = _("other figure")
        verbose_name_plural = _("other figures")

    def __str__(self):
        return f"{self.name} {self.value_text}{self.unit}"

    @property
    def value_text(self):
        return f"{self.value:f}".rstrip("0").rstrip(".") if "." in f"{self.value:f}" else f"{self.value:f}"
