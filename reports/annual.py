"""The annual report (信息公开工作年度报告) as an office would sign it, computed from the product's own
records.

Sections (MOE template, with the reference report's key-area section): 一、概述 (the organisation the
product knows: leading group, office, liaisons; plus the office's words) 二、主动公开情况 (channels,
each post counted by its own date, with the online total; catalogue categories, 不适用 shown as
such; timeliness; corrections and withdrawals counted as such) 三、重点领域信息公开情况 (areas mapped
to catalogue categories and entries, reports.ReportArea) 四、依申请公开和不予公开情况 五、评议情况
六、举报、复议、诉讼情况 七、新做法、问题和改进措施 八、其他需要报告的事项; the office's other figures
(reports.ReportFigure) in their sections; a summary annex per catalogue entry.

The full register is not laid out as hundreds of pages: it travels inside the PDF as an .xlsx
associated file (PDF/A-3), so a year of 20,000 items renders in seconds. A period that has not
ended says "统计截至 …". The office's narrative is stored per period, every save a new version
(reports.models.ReportNarrative)."""

import datetime
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit.services import record
from foi.models import Complaint, Evaluation, InformationRequest
from portal.channels import period_counts
from reports import coverage, register
from reports.models import ReportArea, ReportFigure, ReportNarrative
from core.files import atomic_write
from core.inputs import clean_text
from core.grounds import RefusalGround
from policies.models import Department, Membership
from workflow import services as workflow
from workflow.content import clean_body
from workflow.models import CatalogueCategory, CatalogueEntry

NARRATIVE_KEYS = ("overview", "practices", "other")
NOT_APPLICABLE = "不适用"


class NarrativeError(ValueError):
    """The office's narrative file is not what the report can use."""


@dataclass
class AreaFigures:
    name: str
    numeral: str = ""  # 一, 二 … in the office's order
    published: int = 0
    on_time: int = 0
    entries: int = 0
    entries_covered: int = 0
    not_applicable: bool = False
    channels: list = field(default_factory=list)  # [(channel name, posts)]
    text: str = ""
    others: list = field(default_factory=list)


@dataclass
class Organisation:
    office: str = ""
    leaders: list = field(default_factory=list)
    office_staff: int = 0
    departments: int = 0
    liaisons: int = 0
    heads: int = 0
    reviewers: int = 0


@dataclass
class AnnualFigures:
    date_from: datetime.date
    date_to: datetime.date
    as_of: datetime.date | None = None
    published: int = 0  # first publications in the period (corrections counted apart)
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    entries: int = 0
    entries_covered: int = 0
    entries_not_applicable: int = 0
    channels: list = field(default_factory=list)  # [(name, count)]
    online_total: int = 0  # posts on websites and new-media accounts
    categories: list = field(default_factory=list)  # [(category name, published count or 不适用)]
    areas: list = field(default_factory=list)  # [AreaFigures]
    interpretations: int = 0
    refusals: list = field(default_factory=list)  # [(ground label, count)] — proactive 不予公开
    withdrawn: int = 0
    corrections: int = 0
    imported: int = 0
    requests: int = 0
    request_outcomes: list = field(default_factory=list)  # [(label, count)]
    requests_open: int = 0
    requests_in_time: int = 0
    requests_late: int = 0
    requests_extended: int = 0
    complaints: list = field(default_factory=list)  # [(label, count)] for every kind, zeros included
    evaluations: int = 0
    evaluation_participants: int = 0
    evaluation_satisfied: int = 0
    organisation: Organisation = field(default_factory=Organisation)
    others: dict = field(default_factory=dict)  # {section: [ReportFigure]}
    entry_summary: list = field(default_factory=list)  # annex: one row per catalogue entry

    @property
    def unfinished(self):
        return self.as_of is not None and self.as_of < self.date_to

    @property
    def on_time_percent(self):
        done = self.on_time + self.late
        return f"{100 * self.on_time / done:.1f}%" if done else "—"

    @property
    def coverage_percent(self):
        applicable = self.entries - self.entries_not_applicable
        return f"{100 * self.entries_covered / applicable:.1f}%" if applicable else "—"

    @property
    def satisfaction_percent(self):
        if not self.evaluation_participants:
            return "—"
        return f"{100 * self.evaluation_satisfied / self.evaluation_participants:.1f}%"


def _organisation():
    active = Membership.objects.active().filter(user__is_active=True)
    office = Department.objects.filter(hosts_office=True, active=True).first()
    leaders = [m.user.get_full_name() or m.user.get_username() for m in active.filter(role="leader").select_related("user").order_by("user__id")]
    return Organisation(
        office=office.name if office else "",
        leaders=leaders,
        office_staff=active.filter(role="office").values("user").distinct().count(),
        departments=Department.objects.filter(active=True).count(),
        liaisons=active.filter(role="liaison").values("user").distinct().count(),
        heads=active.filter(role="head").values("user").distinct().count(),
        reviewers=active.filter(role="reviewer").values("user").distinct().count(),
    )


def compute(date_from, date_to, *, today=None, narrative=None):
    """(figures, coverage counts) for the period, both inclusive: every figure from SQL counts
    (coverage.tally), nothing per item."""
    cov = coverage.tally(date_from, date_to, today=today)
    figures = AnnualFigures(date_from=date_from, date_to=date_to, as_of=cov.as_of)
    public = (coverage.ON_TIME, coverage.LATE)
    figures.published = cov.total(*public, correction=False)
    figures.corrections = cov.total(*public, correction=True)
    figures.on_time = cov.total(coverage.ON_TIME, correction=False)
    figures.late = figures.published - figures.on_time
    counts = cov.counts()
    figures.overdue, figures.pending = counts[coverage.OVERDUE], counts[coverage.PENDING]
    figures.withdrawn = cov.total(*public, column=6)
    figures.imported = cov.total(*public, correction=False, column=7)
    figures.interpretations = cov.total(*public, correction=False, column=8)

    entries = list(CatalogueEntry.objects.filter(active=True).select_related("category").order_by("category__order", "category__number", "order", "code"))
    figures.entries = len(entries)
    figures.entries_not_applicable = sum(1 for e in entries if not e.applicable)
    published_per_entry = cov.per_entry(*public, correction=False)
    on_time_per_entry = cov.per_entry(coverage.ON_TIME, correction=False)
    figures.entries_covered = sum(1 for e in entries if e.applicable and published_per_entry[e.pk])

    channel_counts = period_counts(date_from, date_to)  # each post by its own date
    figures.channels = [(c.name, c.count) for c in channel_counts]
    figures.online_total = sum(c.count for c in channel_counts if c.online)

    per_category = Counter()
    for entry_id, n in published_per_entry.items():
        per_category[cov.all_entries[entry_id].category_id] += n
    applicable_categories = {e.category_id for e in entries if e.applicable}
    figures.categories = [
        (c.name, per_category[c.pk] if c.pk in applicable_categories or per_category[c.pk] else NOT_APPLICABLE)
        for c in CatalogueCategory.objects.order_by("order", "number")
        if any(e.category_id == c.pk for e in entries) or per_category[c.pk]
    ]
    refused = Counter()
    for group in cov.groups:
        if group[2] == coverage.REFUSED:
            refused[group[4]] += group[5]
    figures.refusals = [(label, refused[code]) for code, label in RefusalGround.choices if refused[code]]

    narrative = narrative or {}
    others = defaultdict(list)
    for figure in ReportFigure.objects.filter(date_from=date_from, date_to=date_to):
        others[figure.section].append(figure)
    figures.others = dict(others)
    area_texts = narrative.get("areas") or {}
    for position, area in enumerate(ReportArea.objects.all()):
        mine = [e for e in entries if area.covers(e)]
        ids = {e.pk for e in mine}
        figures.areas.append(AreaFigures(
            name=area.name,
            numeral="一二三四五六七八九十"[position] if position < 10 else str(position + 1),
            published=sum(published_per_entry[pk] for pk in ids),
            on_time=sum(on_time_per_entry[pk] for pk in ids),
            entries=sum(1 for e in mine if e.applicable),
            entries_covered=sum(1 for e in mine if e.applicable and published_per_entry[e.pk]),
            not_applicable=bool(mine) and not any(e.applicable for e in mine),
            text=area_texts.get(area.name, ""),
            others=[f for f in others.get("areas", []) if f.name.startswith(area.name)],
        ))

    late_per_entry = cov.per_entry(coverage.LATE, correction=False)
    overdue_per_entry = cov.per_entry(coverage.OVERDUE)
    corrections_per_entry = cov.per_entry(*public, correction=True)
    figures.entry_summary = [
        (e.category.name, e.code, e.title, NOT_APPLICABLE if not e.applicable else published_per_entry[e.pk],
         "" if not e.applicable else on_time_per_entry[e.pk], "" if not e.applicable else late_per_entry[e.pk],
         "" if not e.applicable else overdue_per_entry[e.pk], "" if not e.applicable else corrections_per_entry[e.pk],
         e.not_applicable_reason if not e.applicable else "")
        for e in entries
    ]

    requests = InformationRequest.objects.filter(received_on__gte=date_from, received_on__lte=date_to)
    figures.requests = requests.count()
    outcomes = Counter(requests.exclude(outcome="").values_list("outcome", flat=True))
    figures.request_outcomes = [(label, outcomes[code]) for code, label in InformationRequest.Outcome.choices]
    figures.requests_open = requests.exclude(status=InformationRequest.Status.CLOSED).count()
    for req in requests.filter(status=InformationRequest.Status.CLOSED):
        if req.answered_in_time:
            figures.requests_in_time += 1
        else:
            figures.requests_late += 1
    figures.requests_extended = requests.filter(extended_days__gt=0).count()

    kinds = Counter(
        Complaint.objects.filter(received_on__gte=date_from, received_on__lte=date_to).values_list("kind", flat=True)
    )
    # Section 六 counts reports, reconsiderations and lawsuits; suggestions (意见建议) are not among them.
    figures.complaints = [(label, kinds[code]) for code, label in Complaint.Kind.choices if code != getattr(Complaint.Kind, "SUGGESTION", None)]
    evaluations = Evaluation.objects.filter(held_on__gte=date_from, held_on__lte=date_to)
    figures.evaluations = evaluations.count()
    for evaluation in evaluations:
        figures.evaluation_participants += evaluation.participants
        figures.evaluation_satisfied += evaluation.satisfied
    figures.organisation = _organisation()
    return figures, cov


# --- the office's narrative: stored per period, versioned ---------------------------------------


def read_narrative(text):
    """The office's narrative file: a JSON object with optional texts overview, practices, other
    and areas ({area name: text})."""
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        raise NarrativeError(f"not valid JSON: {error.msg} (line {error.lineno})") from None
    if not isinstance(data, dict):
        raise NarrativeError("must be a JSON object")
    unknown = sorted(set(data) - set(NARRATIVE_KEYS) - {"areas"})
    if unknown:
        raise NarrativeError(f"unknown keys {', '.join(unknown)} (use {', '.join(NARRATIVE_KEYS)}, areas)")
    areas = data.get("areas", {})
    if not isinstance(areas, dict) or any(not isinstance(v, str) for v in areas.values()):
        raise NarrativeError("areas must be an object of texts by area name")
    if any(not isinstance(data.get(key, ""), str) for key in NARRATIVE_KEYS):
        raise NarrativeError("every value must be text")
    # A misspelt area's text would silently be left out of the report.
    known = set(ReportArea.objects.values_list("name", flat=True))
    unknown = sorted(set(areas) - known)
    if unknown:
        raise NarrativeError(f"unknown areas {', '.join(unknown)} (the key areas are: {', '.join(sorted(known)) or 'none'})")
    # The input policy of every text the pages accept (core.inputs): no NUL, lone surrogate or
    # control character reaches the report.
    texts = [(key, data.get(key, "")) for key in NARRATIVE_KEYS] + [(f"areas.{name}", value) for name, value in areas.items()]
    cleaned = {}
    for key, value in texts:
        try:
            cleaned[key] = clean_text(value, multiline=True)
        except ValidationError as error:
            raise NarrativeError(f"{key}: {' '.join(error.messages)}") from None
    result = {key: cleaned[key] for key in NARRATIVE_KEYS}
    result["areas"] = {name: cleaned[f"areas.{name}"] for name in areas if cleaned[f"areas.{name}"]}
    return result


def latest_narrative(date_from, date_to):
    """The period's latest stored narrative (a dict as read_narrative returns), and its version (0 if none)."""
    found = ReportNarrative.objects.filter(date_from=date_from, date_to=date_to).order_by("-version").first()
    if found is None:
        return {**{key: "" for key in NARRATIVE_KEYS}, "areas": {}}, 0
    return {**{key: "" for key in NARRATIVE_KEYS}, "areas": {}, **found.texts}, found.version


def save_narrative(date_from, date_to, texts, *, actor):
    """Store the office's words for the period as its next version (audited). Unchanged words
    store nothing. Returns the version now current."""
    with transaction.atomic():
        current, version = latest_narrative(date_from, date_to)
        if version and current == texts:
            return version
        narrative = ReportNarrative.objects.create(date_from=date_from, date_to=date_to, version=version + 1, texts=texts, created_by=actor)
        record("annual_report.narrative", actor=actor, obj=narrative, after=texts,
               data={"from": date_from.isoformat(), "to": date_to.isoformat(), "version": narrative.version})
    return narrative.version


# --- rendering -----------------------------------------------------------------------------------


def academic_year_label(date_from, date_to):
    if (date_from.month, date_from.day, date_to.month, date_to.day) == (9, 1, 8, 31) and date_to.year == date_from.year + 1:
        return f"{date_from.year}-{date_to.year}学年"
    return f"{date_from:%Y年%-m月%-d日}至{date_to:%Y年%-m月%-d日}"


def _channel_chart(figures):
    try:
        from reports import charts

        rows = [(name, count) for name, count in figures.channels if count]
        return charts.hbar("各公开途径发布条数", rows, unit="条") if rows else None
    except Exception:  # a chart is a help, never a reason the report fails
        return None


def register_filename(date_from, date_to):
    return f"登记表-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"


def render_html(figures, cov, narrative, *, issued_on):
    for area in figures.areas:
        area.text = (narrative.get("areas") or {}).get(area.name, area.text)
    return render_to_string(
        "reports/annual_report.html",
        {
            "school_name": settings.SCHOOL_NAME,
            "period": academic_year_label(figures.date_from, figures.date_to),
            "f": figures,
            "narrative": narrative,
            "chart": _channel_chart(figures),
            "issued_on": issued_on,
            "register_file": register_filename(figures.date_from, figures.date_to),
            "register_rows": cov.row_count,
            "static_base": settings.SITE_URL.rstrip("/") + "/" + settings.STATIC_URL.lstrip("/"),
        },
    )


def pdf_bytes(figures, cov, narrative, *, issued_on, register_xlsx=None):
    """The report's PDF (PDF/A-3) with the period's full register embedded as an .xlsx."""
    from records.rendering import html_to_pdf  # WeasyPrint with the project's safe URL fetcher

    if register_xlsx is None:
        register_xlsx = register.xlsx_bytes(figures.date_from, figures.date_to, today=figures.as_of)
    files = [(register_filename(figures.date_from, figures.date_to), register_xlsx, "信息公开执行情况登记表（全部事项）")]
    pdf, _fetcher = html_to_pdf(render_html(figures, cov, narrative, issued_on=issued_on), files=files)
    return pdf


def _record_export(actor, date_from, date_to, outputs, via):
    record(
        "annual_report.export",
        actor=actor,
        object_type="reports.annual_report",
        data={
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "via": via,
            "files": [{"name": name, "sha256": hashlib.sha256(data).hexdigest()} for name, data in outputs],
        },
    )


def report_pdf(*, actor, date_from, date_to, narrative=None, issued_on):
    """The report as PDF bytes for a download, recorded as an export by `actor`. Without a
    narrative, the period's latest stored one."""
    narrative = narrative or latest_narrative(date_from, date_to)[0]
    figures, cov = compute(date_from, date_to, narrative=narrative)
    data = pdf_bytes(figures, cov, narrative, issued_on=issued_on)
    with transaction.atomic():
        _record_export(actor, date_from, date_to, [(f"annual-report-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf", data)], "web")
    return data


def export(*, actor, date_from, date_to, pdf_out, xlsx_out=None, narrative=None, issued_on):
    """Render the report (and optionally the register) and write them atomically, recording the
    export as one audit event with the files' hashes. Returns [(path, size)]."""

    narrative = narrative or latest_narrative(date_from, date_to)[0]
    figures, cov = compute(date_from, date_to, narrative=narrative)
    register_xlsx = register.xlsx_bytes(date_from, date_to, today=figures.as_of)
    outputs = [(pdf_out, pdf_bytes(figures, cov, narrative, issued_on=issued_on, register_xlsx=register_xlsx))]
    if xlsx_out is not None:
        outputs.append((xlsx_out, register_xlsx))
    with transaction.atomic():
        _record_export(actor, date_from, date_to, [(path.name, data) for path, data in outputs], "command")
        for path, data in outputs:
            atomic_write(path, data)
    return [(path, len(data)) for path, data in outputs]


def today():
    return timezone.localdate()


def draft_as_catalogue_item(*, actor, date_from, date_to, pdf, issued_on):
    """The finished report as a draft of catalogue item 6 (信息公开年度报告) with its PDF attached, by a
    liaison of that entry's department: it then goes through the normal review and is published
    on the disclosure column with its signed record. Returns the draft."""
    entry = CatalogueEntry.objects.select_related("department").get(code="6")
    title = f"{settings.SCHOOL_NAME}{academic_year_label(date_from, date_to)}信息公开工作年度报告"
    with transaction.atomic():
        item = workflow.create_item(
            actor=actor, catalogue_entry=entry, title=title, produced_on=issued_on,
            body=clean_body(f"<p>{title}（统计期间{date_from:%Y年%-m月%-d日}至{date_to:%Y年%-m月%-d日}）全文见附件。</p>"),
        )
        workflow.add_attachment(item, actor=actor, uploaded_file=ContentFile(pdf, name=f"{title}.pdf"))
    return item
