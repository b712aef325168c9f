"""Disclosure on application (依申请公开), complaints about the school's disclosure work, and
evaluations of it: what the annual report counts in its sections (三)–(五). Rows are written only
through foi.services, which audits every change."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.grounds import RefusalGround


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

    class Source(models.TextChoices):
        OFFICE = "office", _("Registered by the office")
        ONLINE = "online", _("Applied online")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("Resident identity card")
        PASSPORT = "passport", _("Passport")
        HK_MACAO_TAIWAN = "hmt_permit", _("Mainland travel permit for Hong Kong, Macao or Taiwan residents")
        CREDIT_CODE = "credit_code", _("Unified social credit code")
        OTHER = "other", _("Other document")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted online, awaiting the office's confirmation")
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
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.OFFICE)
    # For an online application the day both sides confirm is the day of receipt (条例 第三十一条):
    # until the office confirms, received_on is the day it was submitted and the deadline is provisional.
    received_on = models.DateField(_("received on"))
    applicant_name = models.CharField(_("applicant"), max_length=200)
    applicant_kind = models.CharField(_("applicant kind"), max_length=16, choices=ApplicantKind.choices)
    contact = models.CharField(_("contact details"), max_length=300)
    id_type = models.CharField(_("identity document"), max_length=16, choices=IdType.choices, blank=True)
    id_number = models.CharField(pgettext_lazy("identity document", "document number"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=300, blank=True)
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
    # The last 补正 asked for and the applicant's online answer to it.
    correction_request = models.TextField(_("correction asked for"), blank=True)
    correction_answer = models.TextField(_("applicant's correction"), blank=True)
    # Online applications: a keyed digest of the private 查询码 (the code itself is shown once).
    access_code_digest = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Every letter promised to the applicant, written in the transaction that promises it
    # ([{"kind", "sequence"}]): a letter is issued after commit, and what is planned but has no
    # Letter row is overdue work for the reconciler.
    letter_plan = models.JSONField(default=list, blank=True)
    identity_erased_at = models.DateTimeField(_("identity data erased"), null=True, blank=True)
    # Routing (承办): the department's liaison drafts, its head approves, the office signs off.
    draft = models.JSONField(_("draft answer"), default=dict, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
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

    @property
    def draft_state(self):
        """Where the department's answer is: "" (none), "drafted" or "approved"."""
        if not self.draft:
            return ""
        return "approved" if self.approved_by_id else "drafted"


class Complaint(models.Model):
    """A report or complaint (举报/投诉), administrative reconsideration (复议) or lawsuit (诉讼)
    about the school's disclosure work."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Report or complaint")
        RECONSIDERATION = "reconsideration", _("Administrative reconsideration")
        LAWSUIT = "lawsuit", _("Lawsuit")
        SUGGESTION = "suggestion", _("Suggestion")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Online complaints and suggestions get a number and a private 查询码 like requests.
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=InformationRequest.Source.choices, default=InformationRequest.Source.OFFICE)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    access_code_digest = models.CharField(max_length=64, blank=True)
    identity_erased_at = models.DateTimeField(_("identity data erased"), null=True, blank=True)
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


class Letter(models.Model):
    """A formal document sent to an applicant (受理回执, 补正通知, 延期答复告知书, 征求第三方意见函,
    答复书): a signed PDF issued through the records pipeline, verifiable at /verify/ like a record.
    The file lives under RECORDS_DIR; `sha256` is the hash of the signed file."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Acknowledgement of receipt")
        CORRECTION = "correction", _("Notice to correct the application")
        EXTENSION = "extension", _("Notice of extension")
        THIRD_PARTY = "third_party", _("Letter asking a third party's opinion")
        REPLY = "reply", _("Reply")

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="letters", verbose_name=_("request"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sequence = models.PositiveIntegerField(_("sequence"), default=1)
    title = models.CharField(_("title"), max_length=300)
    template_digest = models.CharField(_("template version"), max_length=64)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    path = models.CharField(_("file"), max_length=300)
    signer_fingerprint = models.CharField(_("signer certificate SHA-256"), max_length=64)
    event_seqs = models.JSONField(_("audit events covered"), default=list)
    checkpoint_size = models.BigIntegerField(_("checkpoint tree size"))
    checkpoint_root = models.CharField(_("checkpoint root"), max_length=64)
    issued_at = models.DateTimeField(_("issued"))

    class Meta:
        ordering = ["request", "issued_at", "id"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [models.UniqueConstraint(fields=["request", "kind", "sequence"], name="one_letter_per_request_kind_sequence")]

    def __str__(self):
        return f"{self.request.number} {self.get_kind_display()}"

    @property
    def number(self):
        return f"{self.request.number}-{self.kind.upper()}-{self.sequence}"

    @property
    def file_path(self):
        return settings.RECORDS_DIR / self.path


class LetterTemplate(models.Model):
    """Each wording of a letter template ever used, by digest: the office adjusts the template files,
    and every letter names the exact wording it was printed from."""

    name = models.CharField(_("template"), max_length=100)
    digest = models.CharField(_("SHA-256"), max_length=64, unique=True)
    text = models.TextField(_("text"))
    first_used_at = models.DateTimeField(_("first used"), default=timezone.now)

    class Meta:
        ordering = ["name", "-first_used_at"]
        verbose_name = _("letter template version")
        verbose_name_plural = _("letter template versions")


class PublicSubmission(models.Model):
    """One attempt on a public form (an application, a complaint, a status look-up), by a keyed
    digest of the sender's address: the rate limit counts these rows, so every web process shares it."""

    kind = models.CharField(max_length=16)
    address_digest = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["address_digest", "kind", "at"])]


def _attachment_path(instance, filename):
    # The name on disk is the content hash: no applicant-chosen names reach the file system.
    return f"foi/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file the applicant sent with an online application (typed by content, size-limited)."""

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
