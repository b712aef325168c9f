"""Catalogue coverage for a period: for each catalogue entry, its publications (on time, or late by
how many working days), its items not yet published at the end of the period (overdue or still
within their deadline), refusals, and entries that do not apply or had nothing published.

The dashboard and the register (登记表) are both built from `build()`: one row per catalogue entry and
item, or one row for an entry with no item in the period."""

import datetime
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies.models import Department
from portal.channels import placements_for
from workflow.models import PUBLIC_STATES, UNFINISHED_STATES, CatalogueEntry, DisclosureItem, State, Step
from workflow.workdays import counter


# Row statuses, in the order the dashboard lists them.
OVERDUE, PENDING, LATE, ON_TIME, REFUSED, NOT_PUBLISHED, NOT_APPLICABLE = (
    "overdue", "pending", "late", "on_time", "refused", "not_published", "not_applicable",
)
STATUS_LABELS = {
    OVERDUE: _("Overdue, not published"),
    PENDING: _("Due, not yet published"),
    LATE: _("Published late"),
    ON_TIME: _("Published on time"),
    REFUSED: _("Not to be disclosed"),
    NOT_PUBLISHED: _("Nothing published in the period"),
    NOT_APPLICABLE: _("Not applicable"),
}
STATUS_ORDER = [OVERDUE, PENDING, LATE, ON_TIME, REFUSED, NOT_PUBLISHED, NOT_APPLICABLE]


@dataclass
class Row:
    entry: CatalogueEntry
    status: str
    item: DisclosureItem | None = None
    published_on: datetime.date | None = None
    late_days: int = 0  # working days after the deadline (published late, or overdue so far)
    placements: list = field(default_factory=list)
    reviewers: list = field(default_factory=list)  # [(role label, name)]
    remarks: list = field(default_factory=list)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def status_detail(self):
        """What completes the status on the dashboard: the due date, the refusal ground, why the
        entry does not apply."""
        if self.status in (OVERDUE, PENDING):
            return f"应于{self.item.due_on:%Y-%m-%d}前公开"
        if self.status == REFUSED:
            return REFUSAL_ZH.get(self.item.refusal_ground, "")
        if self.status == NOT_APPLICABLE:
            return self.entry.not_applicable_reason
        return ""

    @property
    def notes(self):
        """The remarks beside the status column. The register has no status column, so the first
        remark of these statuses says the status in words; the dashboard shows it as the status."""
        if self.status in (OVERDUE, PENDING, REFUSED, NOT_PUBLISHED, NOT_APPLICABLE):
            return self.remarks[1:]
        return self.remarks

    @property
    def department(self):
        return self.item.department if self.item else self.entry.department


@dataclass
class Coverage:
    date_from: datetime.date
    date_to: datetime.date
    as_of: datetime.date
    rows: list

    @property
    def overdue(self):
        return sorted((r for r in self.rows if r.status == OVERDUE), key=lambda r: (-r.late_days, r.item.due_on))

    def counts(self):
        return Counter(row.status for row in self.rows)

    def by_department(self):
        """[(department, Counter of statuses)] in department code order."""
        groups = OrderedDict()
        for row in sorted(self.rows, key=lambda r: r.department.code):
            groups.setdefault(row.department, Counter())[row.status] += 1
        return list(groups.items())

    def published_items(self):
        return [r.item for r in self.rows if r.status in (ON_TIME, LATE)]


def _midnight(day):
    """The start of `day` in the school's time zone (range filters that use the indexes)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _local_date(dt):
    return timezone.localtime(dt).date() if dt else None


def _person(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _reviewers(items):
    """{item id: [(label, name)]}: who cleared confidentiality and who approved publication.
    `items` is a query of the items (a subquery, not thousands of parameters)."""
    labels = {Step.Action.CLEAR: "保密审查", Step.Action.PUBLISH: "审核发布"}
    steps = list(
        Step.objects.filter(item__in=items.values("pk"), action__in=list(labels))
        .order_by("created_at", "id").values_list("item_id", "action", "actor_id")
    )
    people = get_user_model().objects.in_bulk({actor for _item, _action, actor in steps if actor})
    result = defaultdict(list)
    for item_id, action, actor_id in steps:
        pair = (labels[action], _person(people.get(actor_id)))
        if pair not in result[item_id]:
            result[item_id].append(pair)
    return result


class _Catalogue:
    """The catalogue and departments, read once and attached to each item (what select_related
    would build again for every row)."""

    def __init__(self, entries):
        self.entries = {entry.pk: entry for entry in entries}
        self.departments = {d.pk: d for d in Department.objects.all()}
        missing = CatalogueEntry.objects.exclude(pk__in=list(self.entries)).select_related("category", "department")
        self.all_entries = {**{e.pk: e for e in missing}, **self.entries}

    def attach(self, items):
        entry_field = DisclosureItem._meta.get_field("catalogue_entry")
        department_field = DisclosureItem._meta.get_field("department")
        for item in items:
            entry_field.set_cached_value(item, self.all_entries[item.catalogue_entry_id])
            department_field.set_cached_value(item, self.departments[item.department_id])
        return list(items)


def build(date_from, date_to, *, today=None, department=None):
    """Coverage of the catalogue between two dates (inclusive), as of the end of the period (or
    today, if the period is not over yet)."""
    today = today or timezone.localdate()
    as_of = min(date_to, today)
    entries = list(
        CatalogueEntry.objects.filter(active=True)
        .select_related("category", "department")
        .order_by("category__order", "category__number", "order", "code")
    )
    catalogue = _Catalogue(entries)
    items = DisclosureItem.objects.defer("body")
    if department is not None:
        entries = [e for e in entries if e.department_id == department.pk]
        items = items.filter(Q(department=department) | Q(catalogue_entry__department=department))
    start, end, after_as_of = _midnight(date_from), _midnight(date_to + datetime.timedelta(days=1)), _midnight(as_of + datetime.timedelta(days=1))
    published_query = items.filter(state__in=PUBLIC_STATES, published_at__gte=start, published_at__lt=end)
    published = catalogue.attach(published_query.order_by("published_at", "id"))
    unfinished = catalogue.attach(
        items.filter(produced_on__lte=as_of)
        .filter(Q(state__in=UNFINISHED_STATES) | Q(state__in=PUBLIC_STATES, published_at__gte=after_as_of))
        .order_by("due_on", "id")
    )
    refused_query = items.filter(state=State.REFUSED, updated_at__gte=start, updated_at__lt=end)
    refused = catalogue.attach(refused_query.order_by("updated_at", "id"))
    placements = placements_for(published, among=published_query)
    reviewers = _reviewers(published_query | refused_query)
    dues = [i.due_on for i in published + unfinished]
    between = counter(min(dues), max([as_of, date_to, *dues])) if dues else None

    per_entry = defaultdict(list)
    for item in published:
        published_on = _local_date(item.published_at)
        late = between(item.due_on, published_on) if published_on > item.due_on else 0
        row = Row(entry=item.catalogue_entry, status=LATE if late else ON_TIME, item=item, published_on=published_on,
                  late_days=late, placements=placements.get(item.pk, []), reviewers=reviewers.get(item.pk, []))
        if item.imported_at:
            row.remarks.append(f"迁移导入（{_local_date(item.imported_at):%Y-%m-%d}导入）")
        if item.document_number:
            row.remarks.append(f"文号：{item.document_number}")
        if item.is_withdrawn:
            row.remarks.append(f"已撤回：{item.withdrawn_reason}")
        if item.state == State.SUPERSEDED:
            row.remarks.append("已被更正")
        if item.supersedes_id:
            row.remarks.append(f"更正第{item.supersedes_id}号事项")
        if item.deadline_provisional:
            row.remarks.append("期限为预估（当年日历未录入）")
        per_entry[item.catalogue_entry_id].append(row)
    for item in unfinished:
        if item.due_on < as_of:
            row = Row(entry=item.catalogue_entry, status=OVERDUE, item=item,
                      late_days=between(item.due_on, as_of))
            row.remarks.append(f"应于{item.due_on:%Y-%m-%d}前公开，至{as_of:%Y-%m-%d}未公开")
        else:
            row = Row(entry=item.catalogue_entry, status=PENDING, item=item)
            row.remarks.append(f"应于{item.due_on:%Y-%m-%d}前公开")
        per_entry[item.catalogue_entry_id].append(row)
    for item in refused:
        row = Row(entry=item.catalogue_entry, status=REFUSED, item=item, reviewers=reviewers.get(item.pk, []))
        row.remarks.append(f"不予公开：{REFUSAL_ZH.get(item.refusal_ground, item.refusal_ground)}")
        per_entry[item.catalogue_entry_id].append(row)

    rows = []
    for entry in entries:
        mine = per_entry.pop(entry.pk, [])
        if mine:
            rows.extend(mine)
        elif not entry.applicable:
            rows.append(Row(entry=entry, status=NOT_APPLICABLE, remarks=[f"不适用：{entry.not_applicable_reason}".rstrip("：")]))
        else:
            rows.append(Row(entry=entry, status=NOT_PUBLISHED, remarks=["本期未公开"]))
    # Items of entries since deactivated still appear, after the catalogue.
    for leftover in per_entry.values():
        rows.extend(leftover)
    return Coverage(date_from=date_from, date_to=date_to, as_of=as_of, rows=rows)


REFUSAL_ZH = {
    "state_secret": "国家秘密",
    "trade_secret": "商业秘密",
    "privacy": "个人隐私",
    "law_excluded": "法律法规和学校规定不予公开",
    "security_stability": "危及安全稳定",
}

