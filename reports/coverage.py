"""Catalogue coverage for a period: for each catalogue entry, its publications (on time, or late by
how many working days), its items not yet published at the end of the period (overdue or still
within their deadline), refusals, and entries that do not apply or had nothing published.

The dashboard and the register (登记表) are both built from `build()`: one row per catalogue entry and
item, or one row for an entry with no item in the period."""

import datetime
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, CharField, Count, F, IntegerField, Min, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies.models import Department
from portal.channels import placements_for
from workflow.models import PUBLIC_STATES, UNFINISHED_STATES, CalendarDay, CatalogueEntry, DisclosureItem, State, Step
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


def _local_date(dt, zone=None):
    """The school's calendar date of `dt` (pass `zone`, the current time zone, when converting many)."""
    return dt.astimezone(zone or timezone.get_current_timezone()).date() if dt else None


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


def _published_row(item, between, placements=(), reviewers=(), zone=None):
    published_on = _local_date(item.published_at, zone)
    late = between(item.due_on, published_on) if published_on > item.due_on else 0
    row = Row(entry=item.catalogue_entry, status=LATE if late else ON_TIME, item=item, published_on=published_on,
              late_days=late, placements=list(placements), reviewers=list(reviewers))
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
    return row


def _unfinished_row(item, as_of, between):
    if item.due_on < as_of:
        row = Row(entry=item.catalogue_entry, status=OVERDUE, item=item, late_days=between(item.due_on, as_of))
        row.remarks.append(f"应于{item.due_on:%Y-%m-%d}前公开，至{as_of:%Y-%m-%d}未公开")
    else:
        row = Row(entry=item.catalogue_entry, status=PENDING, item=item)
        row.remarks.append(f"应于{item.due_on:%Y-%m-%d}前公开")
    return row


def _refused_row(item, reviewers=()):
    row = Row(entry=item.catalogue_entry, status=REFUSED, item=item, reviewers=list(reviewers))
    row.remarks.append(f"不予公开：{REFUSAL_ZH.get(item.refusal_ground, item.refusal_ground)}")
    return row


def _placeholder(entry, status):
    if status == NOT_APPLICABLE:
        return Row(entry=entry, status=NOT_APPLICABLE, remarks=[f"不适用：{entry.not_applicable_reason}".rstrip("：")])
    return Row(entry=entry, status=NOT_PUBLISHED, remarks=["本期未公开"])


def _catalogue_order(entry):
    return entry.category.order, entry.category.number, entry.order, entry.code


def _active_entries():
    """The catalogue's active entries in the catalogue's order, with their category and department."""
    return list(
        CatalogueEntry.objects.filter(active=True)
        .select_related("category", "department")
        .order_by("category__order", "category__number", "order", "code")
    )


# What a row shows of its item: loading the rest (bodies, four more timestamps) was a third of the
# register's time at 20,000 items.
ROW_FIELDS = (
    "catalogue_entry", "department", "title", "produced_on", "due_on", "deadline_provisional", "channels", "state",
    "refusal_ground", "published_at", "supersedes", "withdrawn_reason", "document_number", "imported_at",
)


def build(date_from, date_to, *, today=None, department=None):
    """Coverage of the catalogue between two dates (inclusive), as of the end of the period (or
    today, if the period is not over yet)."""
    today = today or timezone.localdate()
    as_of = min(date_to, today)
    entries = _active_entries()
    catalogue = _Catalogue(entries)
    items = DisclosureItem.objects.only(*ROW_FIELDS)
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

    per_entry, zone = defaultdict(list), timezone.get_current_timezone()
    for item in published:
        row = _published_row(item, between, placements.get(item.pk, []), reviewers.get(item.pk, []), zone)
        per_entry[item.catalogue_entry_id].append(row)
    for item in unfinished:
        per_entry[item.catalogue_entry_id].append(_unfinished_row(item, as_of, between))
    for item in refused:
        per_entry[item.catalogue_entry_id].append(_refused_row(item, reviewers.get(item.pk, [])))

    rows = []
    for entry in entries:
        mine = per_entry.pop(entry.pk, [])
        if mine:
            rows.extend(mine)
        else:
            rows.append(_placeholder(entry, NOT_PUBLISHED if entry.applicable else NOT_APPLICABLE))
    # Items of entries since deactivated (or of another department's entries) still appear, after
    # the catalogue, in the catalogue's order.
    for entry_id in sorted(per_entry, key=lambda pk: _catalogue_order(catalogue.all_entries[pk])):
        rows.extend(per_entry[entry_id])
    return Coverage(date_from=date_from, date_to=date_to, as_of=as_of, rows=rows)


REFUSAL_ZH = {
    "state_secret": "国家秘密",
    "trade_secret": "商业秘密",
    "privacy": "个人隐私",
    "law_excluded": "法律法规和学校规定不予公开",
    "security_stability": "危及安全稳定",
}



# --- counts in SQL: the dashboards' and the annual report's figures -----------------------------
#
# `build()` above makes one Row per item (the register needs every row). The dashboards and the
# annual report need only counts, so `tally()` asks the database for them grouped by catalogue
# entry, department and status: a handful of statements whatever the number of items. The status
# rules are the same as build()'s; tests/reports/test_coverage_tally.py holds the two equal.


def _non_working_runs(date_from, date_to):
    """[(first, last)] of each run of consecutive non-working days that touches the period (a
    publication on such a day is on time if the deadline fell on the working day before the run
    or later: no working day passed in between)."""
    start, end = date_from - datetime.timedelta(days=60), date_to
    overrides = dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))
    runs, first, day = [], None, start
    while day <= end:
        working = overrides.get(day, day.weekday() < 5)
        if not working and first is None:
            first = day
        elif working and first is not None:
            runs.append((first, day - datetime.timedelta(days=1)))
            first = None
        day += datetime.timedelta(days=1)
    if first is not None:
        runs.append((first, end))
    return [(a, b) for a, b in runs if b >= date_from]


def _published_on():
    return TruncDate("published_at", tzinfo=timezone.get_current_timezone())


def _on_time_q(date_from, date_to):
    """Published on or before the deadline, or on a non-working day with no working day since it."""
    q = Q(published_on__lte=F("due_on"))
    for first, last in _non_working_runs(date_from, date_to):
        q |= Q(published_on__gte=first, published_on__lte=last, due_on__gte=first - datetime.timedelta(days=1))
    return q


@dataclass
class Tally:
    """Coverage of a period as counts: `groups` is [(entry id, department id, status, correction?,
    refusal ground, items, withdrawn, imported, policy documents, first deadline)] for the items'
    rows; entries of the catalogue with no row get one NOT_PUBLISHED / NOT_APPLICABLE row (as in
    build()). Publications are counted in full; unfinished items only by entry, department,
    status and first deadline, refusals by entry, department, correction? and ground (the rest
    False, "", 0 or None: no report shows it)."""

    date_from: datetime.date
    date_to: datetime.date
    as_of: datetime.date
    entries: list  # the active catalogue (of the department, if one was asked for), in order
    all_entries: dict
    departments: dict
    groups: list
    months: list  # [(year, month, publications)]
    department: object = None
    _sets: dict = field(default_factory=dict, repr=False)

    def entries_with_rows(self):
        return {g[0] for g in self.groups}

    def placeholder_rows(self):
        """[(entry, status)] for catalogue entries without any item row."""
        mine = self.entries_with_rows()
        return [(e, NOT_APPLICABLE if not e.applicable else NOT_PUBLISHED) for e in self.entries if e.pk not in mine]

    def counts(self):
        counts = Counter()
        for group in self.groups:
            counts[group[2]] += group[5]
        for _entry, status in self.placeholder_rows():
            counts[status] += 1
        return counts

    @property
    def row_count(self):
        return sum(self.counts().values())

    def by_department(self):
        """[(department, Counter of statuses)] in department code order."""
        per = defaultdict(Counter)
        for group in self.groups:
            per[group[1]][group[2]] += group[5]
        for entry, status in self.placeholder_rows():
            per[entry.department_id][status] += 1
        departments = sorted((self.departments[pk] for pk in per), key=lambda d: d.code)
        return [(d, per[d.pk]) for d in departments]

    def per_entry(self, *statuses, correction=None):
        """Counter {entry id: rows with one of `statuses`} (corrections only/excluded if given)."""
        result = Counter()
        for entry_id, _dept, status, is_correction, _ground, n, *_rest in self.groups:
            if status in statuses and (correction is None or is_correction == correction):
                result[entry_id] += n
        return result

    def total(self, *statuses, correction=None, column=5):
        return sum(g[column] for g in self.groups if g[2] in statuses and (correction is None or g[3] == correction))

    def ordered_entries(self):
        """The catalogue (as in build()), then entries outside it that have rows (deactivated
        entries, or another department's entries holding this department's items)."""
        listed = {e.pk for e in self.entries}
        others = sorted((self.all_entries[pk] for pk in self.entries_with_rows() - listed), key=_catalogue_order)
        return self.entries + others

    # Rows a page at a time, as sequences Django's Paginator can slice (each slice a few queries,
    # the same whatever the data): rows() in the dashboard's order — overdue first (most overdue
    # first), then every other row in catalogue order (each entry's publications, items still
    # due, refusals); register_rows() in the register's (build()'s) order — every row in
    # catalogue order (each entry's publications, unfinished items by deadline, refusals), with
    # the channels and reviewers the register shows.

    def rows(self):
        return _Rows(self, overdue_first=True)

    def register_rows(self):
        return _Rows(self, overdue_first=False)


class _Rows:
    def __init__(self, tally, *, overdue_first):
        self.tally, self.overdue_first = tally, overdue_first
        self.overdue = tally.total(OVERDUE) if overdue_first else 0
        due = ("pending", (PENDING,)) if overdue_first else ("unfinished", (OVERDUE, PENDING))
        kinds = [("published", (ON_TIME, LATE)), due, ("refused", (REFUSED,))]
        self.kinds = [kind for kind, _statuses in kinds]
        counters = [(kind, tally.per_entry(*statuses)) for kind, statuses in kinds]
        placeholders = dict((e.pk, status) for e, status in tally.placeholder_rows())
        # Segments in display order: (kind, entry, rows)
        self.segments = []
        for entry in tally.ordered_entries():
            if entry.pk in placeholders:
                self.segments.append((placeholders[entry.pk], entry, 1))
                continue
            for kind, counter in counters:
                if counter[entry.pk]:
                    self.segments.append((kind, entry, counter[entry.pk]))
        self.length = self.overdue + sum(n for _k, _e, n in self.segments)

    def __len__(self):
        return self.length

    def count(self):
        return self.length

    def most_overdue(self, limit):
        """The `limit` most overdue items' rows (two queries)."""
        return _display_rows(self.tally, [("overdue", item) for item in _fetch_overdue(self.tally, 0, limit)])

    def __getitem__(self, index):
        """Rows of a slice. Every slice asks the same questions (overdue items, publications,
        unfinished items, refusals: each a LIMIT/OFFSET query over the entries the slice shows)
        and reads the calendar once, so a page costs the same whatever the data."""
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start, stop, _step = index.indices(self.length)
        stop = max(start, stop)
        rows = []
        if self.overdue_first:
            end = min(stop, self.overdue)
            rows = [("overdue", item) for item in _fetch_overdue(self.tally, start, max(0, end - start))]
        # Which rows of each kind the window holds: each entry's rows of that kind, all but a
        # suffix of the first entry's and a prefix of the last one's.
        lo, hi = max(start, self.overdue) - self.overdue, stop - self.overdue
        wanted, offset = [], 0
        for kind, entry, n in self.segments:
            if offset + n > lo and offset < hi:
                skip = max(0, lo - offset)
                wanted.append((kind, entry, skip, min(n, hi - offset) - skip))
            offset += n
        fetched = {}
        for kind in self.kinds:
            mine = [w for w in wanted if w[0] == kind]
            first = mine[0][2] if mine else 0
            fetched[kind] = iter(_fetch(self.tally, kind, [w[1].pk for w in mine], first, sum(w[3] for w in mine)))
        for kind, entry, _skip, take in wanted:
            if kind in fetched:
                rows += [(kind, next(fetched[kind])) for _n in range(take)]
            else:
                rows.append((kind, entry))
        return _display_rows(self.tally, rows, details=not self.overdue_first)


def _period_filters(tally):
    start, end = _midnight(tally.date_from), _midnight(tally.date_to + datetime.timedelta(days=1))
    after_as_of = _midnight(tally.as_of + datetime.timedelta(days=1))
    published = Q(state__in=PUBLIC_STATES, published_at__gte=start, published_at__lt=end)
    unfinished = Q(produced_on__lte=tally.as_of) & (
        Q(state__in=UNFINISHED_STATES) | Q(state__in=PUBLIC_STATES, published_at__gte=after_as_of))
    refused = Q(state="refused", updated_at__gte=start, updated_at__lt=end)
    return published, unfinished, refused


def _items(department):
    items = DisclosureItem.objects.all()
    if department is not None:
        items = items.filter(Q(department=department) | Q(catalogue_entry__department=department))
    return items


def _attach(tally, items):
    catalogue = _Catalogue.__new__(_Catalogue)
    catalogue.all_entries, catalogue.departments = tally.all_entries, tally.departments
    return catalogue.attach(items)


def _fetch_overdue(tally, offset, limit):
    """`limit` overdue items from `offset`, most overdue (earliest deadline) first. Two questions,
    each read in deadline order from an index until it has enough: items still open, and items
    published only after the period (one question with OR would sort every overdue item)."""
    after_as_of = _midnight(tally.as_of + datetime.timedelta(days=1))
    items = (_items(tally.department).defer("body").filter(produced_on__lte=tally.as_of, due_on__lt=tally.as_of)
             .order_by("due_on", "id"))
    enough = offset + max(1, limit)  # nothing wanted still asks: a page runs the same statements
    found = [*items.filter(state__in=UNFINISHED_STATES)[:enough],
             *items.filter(state__in=PUBLIC_STATES, published_at__gte=after_as_of)[:enough]]
    found.sort(key=lambda item: (item.due_on, item.pk))
    return _attach(tally, found[offset:offset + limit])


def _fetch(tally, kind, entries, offset, limit):
    """`limit` items of one kind from `offset`, among the items of `entries` (entry ids, in display
    order), each entry's in date order, with entry and department attached."""
    published, unfinished, refused = _period_filters(tally)
    key, condition = {
        "published": ("published_at", published), "pending": ("due_on", unfinished & Q(due_on__gte=tally.as_of)),
        "unfinished": ("due_on", unfinished), "refused": ("updated_at", refused),
    }[kind]
    query = _items(tally.department).defer("body").filter(condition)
    if not limit:
        # Nothing wanted still asks (any one row, discarded): a page runs the same statements.
        list(query.order_by()[:1])
        return []
    position = Case(*(When(catalogue_entry_id=pk, then=Value(n)) for n, pk in enumerate(entries)), output_field=IntegerField())
    query = query.filter(catalogue_entry_id__in=entries).annotate(entry_position=position).order_by("entry_position", key, "id")
    return _attach(tally, query[offset:offset + limit])


def _display_rows(tally, kinds, *, details=False):
    """Rows for [(kind, item or entry)], built as build() builds them (one calendar query; with
    `details`, the register's channels and reviewers too)."""
    items = [thing for kind, thing in kinds if kind in ("overdue", "published", "pending", "unfinished", "refused")]
    dues = [i.due_on for i in items] or [tally.as_of]
    between = counter(min(dues), max([tally.as_of, tally.date_to, *dues]))
    placements, reviewers = {}, {}
    if details:
        published = [thing for kind, thing in kinds if kind == "published"]
        shown = [thing.pk for kind, thing in kinds if kind in ("published", "refused")]
        # [0] (no item) when none is shown: the page still asks, and runs the same statements.
        placements = placements_for(published, among=DisclosureItem.objects.filter(pk__in=[i.pk for i in published] or [0]))
        reviewers = _reviewers(DisclosureItem.objects.filter(pk__in=shown or [0]))
    rows = []
    for kind, thing in kinds:
        if kind == "published":
            rows.append(_published_row(thing, between, placements.get(thing.pk, []), reviewers.get(thing.pk, [])))
        elif kind in ("overdue", "pending", "unfinished"):
            rows.append(_unfinished_row(thing, tally.as_of, between))
        elif kind == "refused":
            rows.append(_refused_row(thing, reviewers.get(thing.pk, [])))
        else:
            rows.append(_placeholder(thing, kind))
    return rows


def tally(date_from, date_to, *, today=None, department=None):
    """Coverage of the period as counts (see Tally): the same statuses as build(), in SQL."""
    today = today or timezone.localdate()
    as_of = min(date_to, today)
    entries = _active_entries()
    catalogue = _Catalogue(entries)
    if department is not None:
        entries = [e for e in entries if e.department_id == department.pk]
    result = Tally(date_from=date_from, date_to=date_to, as_of=as_of, entries=entries, all_entries=catalogue.all_entries,
                   departments=catalogue.departments, groups=[], months=[], department=department)
    published, unfinished, refused = _period_filters(result)
    items = _items(department)
    correction = Case(When(supersedes__isnull=False, then=Value(True)), default=Value(False), output_field=BooleanField())
    text = CharField()
    published_status = Case(When(_on_time_q(date_from, date_to), then=Value(ON_TIME)), default=Value(LATE), output_field=text)
    rows = (
        items.filter(published).annotate(published_on=_published_on(), status=published_status, correction=correction)
        .order_by().values_list("catalogue_entry_id", "department_id", "status", "correction", "refusal_ground")
        .annotate(n=Count("id"), withdrawn=Count("id", filter=Q(state="withdrawn")),
                  imported=Count("id", filter=Q(imported_at__isnull=False)),
                  policy=Count("id", filter=Q(is_policy_document=True)), first_due=Min("due_on"))
    )
    result.groups += [tuple(r) for r in rows]
    # Unfinished items and refusals can be many: each is counted from a partial index holding the
    # columns counted (workflow's item_unfinished_due, item_refused_when), not from the items'
    # rows. Items still open and items published only after the period are asked apart, as in
    # _fetch_overdue, each from its own index.
    open_status = Case(When(due_on__lt=as_of, then=Value(OVERDUE)), default=Value(PENDING), output_field=text)
    after_as_of = _midnight(as_of + datetime.timedelta(days=1))
    for query in (items.filter(state__in=UNFINISHED_STATES, produced_on__lte=as_of),
                  items.filter(state__in=PUBLIC_STATES, published_at__gte=after_as_of, produced_on__lte=as_of)):
        rows = (query.annotate(status=open_status).order_by().values_list("catalogue_entry_id", "department_id", "status")
                .annotate(n=Count("id"), first_due=Min("due_on")))
        result.groups += [(entry, dept, status, False, "", n, 0, 0, 0, first_due) for entry, dept, status, n, first_due in rows]
    rows = (items.filter(refused).annotate(correction=correction).order_by()
            .values_list("catalogue_entry_id", "department_id", "correction", "refusal_ground").annotate(n=Count("id")))
    result.groups += [(entry, dept, REFUSED, corr, ground, n, 0, 0, 0, None) for entry, dept, corr, ground, n in rows]
    zone = timezone.get_current_timezone()
    result.months = sorted(
        items.filter(published).order_by()
        .values_list(ExtractYear("published_at", tzinfo=zone), ExtractMonth("published_at", tzinfo=zone))
        .annotate(n=Count("id"))
    )
    return result
