"""Disclosure items and everything that hangs off them: the catalogue they come from, the working-day
calendar that sets their deadlines, their frozen versions, attachments, decision history and the
notifications they cause. Rows are written only through workflow.services (and workflow.catalogue /
workflow.calendar for reference data), which audit every change."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from viewflow.workflow.models import Process, Task

from core.grounds import RefusalGround


class CatalogueCategory(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_moe = models.BooleanField(_("MOE catalogue"), default=True, help_text=_("Part of the 2014 MOE catalogue."))

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("catalogue category")
        verbose_name_plural = _("catalogue categories")

    def __str__(self):
        return self.name


class CatalogueEntry(models.Model):
    class Frequency(models.TextChoices):
        ANNUAL = "annual", _("Annual")
        PER_OCCURRENCE = "per_occurrence", _("Per occurrence")
        ON_CHANGE = "on_change", _("On change")

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_('"1".."50" for MOE items, or a school code.'))
    category = models.ForeignKey(CatalogueCategory, on_delete=models.PROTECT, related_name="entries", verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=500)
    department = models.ForeignKey(
        "policies.Department", on_delete=models.PROTECT, related_name="catalogue_entries",
        verbose_name=_("responsible department"),
    )
    applicable = models.BooleanField(_("applicable"), default=True)
    not_applicable_reason = models.CharField(_("reason not applicable"), max_length=300, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.ON_CHANGE)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category__order", "order", "code"]
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")

    def __str__(self):
        return f"{self.code}. {self.title}"


class CalendarDay(models.Model):
    """A day that differs from the Monday–Friday default (a weekday holiday, a make-up working
    weekend), from the chinesecalendar package or entered by the office. A year with no rows at all
    is unknown: Monday–Friday is assumed there and deadlines in it are provisional."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar package")
        OFFICE = "office", _("Disclosure office")

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.OFFICE)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {_('working day') if self.is_workday else _('day off')}"




PORTAL = "portal"


class Channel(models.Model):
    """A place items are published (公开途径): the ONE channel table — what the office lists in the
    admin is what publication, the API, the forms and the reports accept. `portal` is the public
    site itself: every published item is on it automatically; the office records posts on the
    others (portal.ChannelPost). Written only through workflow.channels.save_channel (audited)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive channels keep their records but are not offered for new ones."))
    online = models.BooleanField(
        _("online"), default=True,
        help_text=_("A website or new-media account: counted in the annual report's total of online publications."),
    )

    class Meta:
        # Made by portal's migrations, where the model lived first.
        db_table = "portal_channel"
        ordering = ["order", "code"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return self.name

    @property
    def automatic(self):
        return self.code == PORTAL


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    HEAD_REVIEW = "head_review", _("Head review")
    CONFIDENTIALITY_REVIEW = "confidentiality_review", _("Confidentiality review")
    SECRECY_REVIEW = "secrecy_review", _("Secrecy office review")
    LEADER_REVIEW = "leader_review", _("Leading group approval")
    OFFICE_REVIEW = "office_review", _("Office review")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    RETURNED = "returned", _("Returned for revision")
    REFUSED = "refused", _("Not to be disclosed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")
    DISCARDED = "discarded", _("Discarded")


# Where somebody must act: an item here can be overdue, and the periodic scan reminds whoever acts
# (workflow.transitions.STAGES says who).
OPEN_STATES = (State.DRAFT, State.RETURNED, State.HEAD_REVIEW, State.CONFIDENTIALITY_REVIEW, State.SECRECY_REVIEW,
               State.LEADER_REVIEW, State.OFFICE_REVIEW)
# Not yet published or decided (the publication job may still be on its way).
UNFINISHED_STATES = (*OPEN_STATES, State.PUBLISHING)
# Once published, an item stays on the public site: withdrawn with its reason, superseded with its correction.
PUBLIC_STATES = (State.PUBLISHED, State.WITHDRAWN, State.SUPERSEDED)


class DisclosureItemQuerySet(models.QuerySet):
    def public(self):
        """What the public may see: items that were published (whatever became of them since)."""
        return self.filter(state__in=PUBLIC_STATES, published_at__isnull=False)

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today=None):
        """Open items past their deadline (the one overdue rule; see DisclosureItem.is_overdue)."""
        return self.filter(state__in=OPEN_STATES, due_on__lt=today or timezone.localdate())


class DisclosureItem(models.Model):
    """One piece of information on its way to (or after) publication. Integer keys: viewflow's
    process refers to it by a positive integer."""

    id = models.AutoField(primary_key=True)
    catalogue_entry = models.ForeignKey(CatalogueEntry, on_delete=models.PROTECT, related_name="items", verbose_name=_("catalogue entry"))
    department = models.ForeignKey("policies.Department", on_delete=models.PROTECT, related_name="disclosure_items", verbose_name=_("department"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True, help_text=_("Sanitised HTML."))
    produced_on = models.DateField(_("produced on"))
    due_on = models.DateField(_("due on"))
    deadline_provisional = models.BooleanField(_("provisional deadline"), default=False)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    is_policy_document = models.BooleanField(_("important policy document"), default=False)
    interpretation = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="interprets",
        verbose_name=_("policy interpretation item"),
    )
    interpretation_url = models.URLField(_("policy interpretation link"), blank=True)
    is_major = models.BooleanField(_("major matter"), default=False)
    touches_state_secret = models.BooleanField(_("touches state secrets"), default=False)
    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.DRAFT, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=0, help_text=_("Number of the last submitted version."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    refusal_ground = models.CharField(_("refusal ground"), max_length=32, choices=RefusalGround.choices, blank=True)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("supersedes"),
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # The notifications its last transition owes, written with the transition and cleared in the
    # transaction that creates them (workflow.notify): a lost job leaves it set, and the
    # reconciler (operations.reconcile) delivers them. {"action", "actor", "comment"} or null.
    pending_notice = models.JSONField(null=True, blank=True, editable=False)
    document_number = models.CharField(pgettext_lazy("issued document", "document number"), max_length=100, blank=True)
    # The office gave the current step's task to one holder of its role (workflow.services.reassign):
    # then only they, or their deputy, act at this step. Cleared whenever the state changes.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("assigned to"),
    )
    # Items published before the school used Gongkai, brought in by `import_history` (迁移导入):
    # their review happened elsewhere, so their history shows the import, not a review.
    external_ref = models.CharField(_("external reference"), max_length=100, null=True, blank=True, unique=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    objects = DisclosureItemQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("disclosure item")
        verbose_name_plural = _("disclosure items")
        indexes = [
            # A step's queue, due soonest first (workflow.queues.task_items), school-wide and per
            # department: a page is read in index order; the inbox's counts from the index alone.
            models.Index(fields=["state", "due_on", "id"], include=["department", "assigned_to"], name="item_task_queue"),
            models.Index(fields=["department", "state", "due_on", "id"], include=["assigned_to"], name="item_department_queue"),
            # A department's items still in progress, most urgent first (a liaison's home page;
            # school-wide, item_unfinished_due below): read in order, LIMIT stops early.
            models.Index(fields=["department", "due_on", "id"], name="item_unfinished_dept_due",
                         condition=models.Q(state__in=UNFINISHED_STATES)),
            # The register reads a period's publications.
            models.Index(fields=["state", "published_at"]),
            # The public site lists public items newest first (portal.public.listed_items): read in
            # index order, a page costs the same however many items there are; MIN/MAX are its ends.
            models.Index(
                fields=["-published_at", "-id"], name="item_public_newest",
                condition=models.Q(state__in=PUBLIC_STATES, published_at__isnull=False),
            ),
            # One catalogue entry's public items newest first: the catalogue tree's few per entry
            # (portal.pages.catalogue) and the entry's list (/category/N/?entry=CODE), each a short
            # range of this index, however much the school has published.
            models.Index(
                fields=["catalogue_entry", "-published_at", "-id"], name="item_public_by_entry",
                condition=models.Q(state__in=PUBLIC_STATES, published_at__isnull=False),
            ),
            # The reports list unfinished items most overdue first (reports.coverage._fetch_overdue):
            # read in deadline order, a page reads its rows and no more; the other columns are
            # what reports.coverage.tally counts, read from the index alone.
            models.Index(fields=["due_on", "id", "catalogue_entry_id", "department_id", "produced_on"],
                         name="item_unfinished_due", condition=models.Q(state__in=UNFINISHED_STATES)),
            # A period's refusals, counted from the index alone (reports.coverage.tally).
            models.Index(fields=["updated_at", "catalogue_entry_id", "department_id", "refusal_ground", "supersedes", "id"],
                         name="item_refused_when", condition=models.Q(state=State.REFUSED)),
        ]

    def __str__(self):
        return self.title

    @property
    def imported(self):
        return self.imported_at is not None

    def is_overdue(self, today=None):
        """Still waiting for somebody after its deadline."""
        return self.state in OPEN_STATES and self.due_on < (today or timezone.localdate())

    @property
    def is_public(self):
        return self.state in PUBLIC_STATES and self.published_at is not None

    @property
    def is_withdrawn(self):
        return self.state == State.WITHDRAWN


class ItemVersion(models.Model):
    """Frozen at every submission; its hash covers title and body."""

    item = models.ForeignKey(DisclosureItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    data = models.JSONField(_("other fields"), default=dict, blank=True)
    sha256 = models.CharField(_("content SHA-256"), max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["item", "number"]
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="one_version_number_per_item")]

    def __str__(self):
        return f"{self.item_id} v{self.number}"

    @staticmethod
    def content_hash(title, body):
        return hashlib.sha256(f"{title}\n\n{body}".encode("utf-8")).hexdigest()


def _attachment_path(instance, filename):
    # The name on disk is the content hash: no user-chosen names or extensions reach the file system.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    item = models.ForeignKey(DisclosureItem, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100, help_text=_("Detected from the content."))
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        ordering = ["item", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class Step(models.Model):
    """The item's decision history: who did what, in which role, on which version, with what
    comment. Kept independently of viewflow's task rows (which are editable and deletable)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        EDIT = "edit", _("Edited")
        ATTACH = "attach", _("Attached a file")
        DETACH = "detach", _("Removed a file")
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned")
        CLEAR = "clear", _("Cleared")
        CLEAR_WITH_REDACTIONS = "clear_with_redactions", _("Returned with redactions")
        REFUSE = "refuse", _("Refused")
        PUBLISH = "publish", _("Approved for publication")
        PUBLISHED = "published", _("Published")
        WITHDRAW = "withdraw", _("Withdrawn")
        CORRECT = "correct", _("Corrected")
        SUPERSEDED = "superseded", _("Superseded")
        IMPORT = "import", _("Imported (published before Gongkai)")
        REASSIGN = "reassign", _("Task reassigned")
        DISCARD = "discard", _("Discarded the draft")

    item = models.ForeignKey(DisclosureItem, on_delete=models.PROTECT, related_name="steps")
    version = models.PositiveIntegerField(_("version"), default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    state_before = models.CharField(_("state before"), max_length=32, blank=True)
    state_after = models.CharField(_("state after"), max_length=32, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["item", "created_at", "id"]
        verbose_name = _("history step")
        verbose_name_plural = _("history steps")

    def __str__(self):
        return f"{self.item_id} {self.action}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        TASK = "task", _("New task")
        RETURNED = "returned", _("Returned")
        DUE_SOON = "due_soon", _("Deadline near")
        OVERDUE = "overdue", _("Deadline passed")
        PUBLISHED = "published", _("Published")
        REFUSED = "refused", _("Refused")
        INFO = "info", _("Information")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    item = models.ForeignKey(DisclosureItem, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=500)
    # Reminders are sent once: the scan skips a (user, key) it has already notified.
    key = models.CharField(max_length=100, blank=True)
    # Where a notification without an item leads (a request for disclosure on application: /foi/N/).
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""), name="one_notification_per_key")
        ]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            # The inbox lists a user's newest notifications: read in index order, not sorted on disk.
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest"),
        ]

    def __str__(self):
        return self.message


class DisclosureProcess(Process):
    """viewflow's process for one item (artifact = the item)."""

    class Meta:
        proxy = True
        verbose_name = _("disclosure process")
        verbose_name_plural = _("disclosure processes")


class DisclosureTask(Task):
    class Meta:
        proxy = True
        verbose_name = _("disclosure task")
        verbose_name_plural = _("disclosure tasks")


class DueNotice(models.Model):
    """The due scan has told this item's assignees (and, when overdue, the head and the office)
    about this step and version: `key` is "due:<item>:<state>:<version>" or "overdue:…". The
    people themselves get one digest a day (Notification), not one message per item."""

    key = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deadline notice")
        verbose_name_plural = _("deadline notices")


class OutgoingMail(models.Model):
    """One e-mail owed to one address (workflow.outbox): written in the transaction of the change
    that owes it, sent after the commit, and by the reconciler when that did not happen. `secret`
    (an applicant's 查询码) is kept apart from the body and erased once the mail is sent."""

    to = models.EmailField(pgettext_lazy("e-mail", "to"), max_length=254)  # plain "to" is a period's end elsewhere
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    secret = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        # The reconciler looks for owed mail, oldest first; sent mail is most of the table.
        indexes = [models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="mail_owed")]

    def __str__(self):
        return self.subject
