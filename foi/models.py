"""Disclosure on application (依申请公开), complaints about the school's disclosure work, and
evaluations of it: what the annual report counts in its sections (三)–(五). Rows are written only
through foi.services, which audits every change."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.models import RefusalGround


class InformationRequest(models.Model):
    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("Natural person")
        ORGANISATION = "organisation", _("Legal person or other organisation")

    class Form(models.TextChoices):
        PAPER = "paper", _("Paper")
        EMAIL = "email", _("E-mail")
        DISC = "disc", _("Disc")
        OTHER = "other", _("Other")

    class Delivery(models.TextChoices):
        IN_PERSON = "in_person", _("Collected in person")
        POST = "post", _("By post")
        ONLINE = "online", _("Online")

    class Status(models.TextChoices):
        OPEN = "open", _("Being handled")
        AWAITING_CORRECTION = "awaiting_correction", _("Waiting for the applicant's correction")
        AWAITING_THIRD_PARTY = "awaiting_third_party", _("Waiting for a third party's opinion")
        CLOSED = "closed", _("Answered")

    class Outcome(models.TextChoices):
        DISCLOSED = "disclosed", _("Disclosed")
        PARTIAL = "partial", _("Partly disclosed")
        REFUSED = "refused", _("Not disclosed")
        NOT_HELD = "not_held", _("Outside the school's remit or information does not exist")
        UNCLEAR = "unclear", _("Unclear and not corrected in time")
        DUPLICATE = "duplicate", _("Duplicate request")
        WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")

    number = models.CharField(_("number"), max_length=20, unique=True)
    received_on = models.DateField(_("received on"))
    applicant_name = models.CharField(_("applicant"), max_length=200)
    applicant_kind = models.CharField(_("applicant kind"), max_length=16, choices=ApplicantKind.choices)
    contact = models.CharField(_("contact details"), max_length=300)
    description = models.TextField(_("information sought"))
    about_own_information = models.BooleanField(_("about the applicant's own personal information"), default=False)
    identity_checked = models.BooleanField(_("identity document checked"), default=False)
    form_wanted = models.CharField(_("form wanted"), max_length=16, choices=Form.choices, default=Form.EMAIL)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices, default=Delivery.ONLINE)
    department = models.ForeignKey(
        "policies.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("handling department"),
    )
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField(_("reply due"))
    deadline_provisional = models.BooleanField(_("provisional deadline"), default=False)
    extended_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)
    # Time waiting for a correction or a third party's opinion is not counted (rules.md).
    paused_working_days = models.PositiveSmallIntegerField(_("working days paused"), default=0)
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    refusal_ground = models.CharField(_("ground"), max_length=32, choices=RefusalGround.choices, blank=True)
    referred_to = models.CharField(_("body referred to"), max_length=200, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")

    def __str__(self):
        return f"{self.number} {self.applicant_name}"

    @property
    def answered_in_time(self):
        return self.answered_on is not None and self.answered_on <= self.due_on


class Complaint(models.Model):
    """A report or complaint (举报/投诉), administrative reconsideration (复议) or lawsuit (诉讼)
    about the school's disclosure work."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Report or complaint")
        RECONSIDERATION = "reconsideration", _("Administrative reconsideration")
        LAWSUIT = "lawsuit", _("Lawsuit")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    received_on = models.DateField(_("received on"))
    summary = models.TextField(_("summary"))
    result = models.TextField(_("result"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("complaint, reconsideration or lawsuit")
        verbose_name_plural = _("complaints, reconsiderations and lawsuits")

    def __str__(self):
        return f"{self.get_kind_display()} {self.received_on}"


class Evaluation(models.Model):
    """An evaluation (评议) of the disclosure work by staff, students or the public."""

    class Evaluators(models.TextChoices):
        STAFF = "staff", _("Staff")
        STUDENTS = "students", _("Students")
        PUBLIC = "public", _("The public")
        MIXED = "mixed", _("Staff, students and the public")

    held_on = models.DateField(_("held on"))
    evaluators = models.CharField(_("evaluators"), max_length=16, choices=Evaluators.choices)
    participants = models.PositiveIntegerField(_("participants"))
    satisfied = models.PositiveIntegerField(_("satisfied"))
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self):
        return f"{self.get_evaluators_display()} {self.held_on}"
