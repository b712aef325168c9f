"""The annual report (信息公开工作年度报告), computed from the product's own records.

Sections follow the MOE template (rules.md): (一)概述 (二)主动公开情况 (三)依申请公开和不予公开情况
(四)评议情况 (五)举报、复议、诉讼情况 (六)新做法新举措、问题和改进措施 (七)其他需要报告的事项, and
(八)清单事项公开情况表 — the register of the same period as the annex. Figures come from the
coverage rows (the register's), channel posts and the foi app; the office adds its narrative for
(一), (六) and (七) as a JSON file {"overview": …, "practices": …, "other": …}."""

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string

from foi.models import Complaint, Evaluation, InformationRequest
from portal.channels import period_counts
from reports import coverage, register
from core.grounds import RefusalGround
from workflow.models import CatalogueCategory

NARRATIVE_KEYS = ("overview", "practices", "other")
# Annex column widths (percent of a landscape A4 line), in the register's column order.
ANNEX_WIDTHS = (3, 7, 4, 14, 12, 7, 7, 7, 7, 9, 8, 7, 8)


class NarrativeError(ValueError):
    """The office's narrative file is not what the report can use."""


@dataclass
class AnnualFigures:
    date_from: datetime.date
    date_to: datetime.date
    published: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    entries: int = 0
    entries_covered: int = 0
    entries_not_applicable: int = 0
    channels: list = field(default_factory=list)  # [(name, count)]
    online_total: int = 0  # posts on websites and new-media accounts
    categories: list = field(default_factory=list)  # [(category name, published count)]
    interpretations: int = 0
    refusals: list = field(default_factory=list)  # [(ground label, count)] — proactive 不予公开
    withdrawn: int = 0
    corrections: int = 0
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


def compute(date_from, date_to, *, today=None):
    """(figures, coverage) for the period, both inclusive."""
    cov = coverage.build(date_from, date_to, today=today)
    counts = cov.counts()
    figures = AnnualFigures(date_from=date_from, date_to=date_to)
    published_rows = [r for r in cov.rows if r.status in (coverage.ON_TIME, coverage.LATE)]
    figures.published = len(published_rows)
    figures.on_time, figures.late = counts[coverage.ON_TIME], counts[coverage.LATE]
    figures.overdue, figures.pending = counts[coverage.OVERDUE], counts[coverage.PENDING]

    entry_ids = {r.entry.pk for r in cov.rows}
    figures.entries = len(entry_ids)
    figures.entries_covered = len({r.entry.pk for r in published_rows})
    figures.entries_not_applicable = len({r.entry.pk for r in cov.rows if r.status == coverage.NOT_APPLICABLE})

    channel_counts = period_counts(date_from, date_to)  # each post by its own date
    figures.channels = [(c.name, c.count) for c in channel_counts]
    figures.online_total = sum(c.count for c in channel_counts if c.online)
    per_category = Counter(r.entry.category_id for r in published_rows)
    figures.categories = [(c.name, per_category[c.pk]) for c in CatalogueCategory.objects.order_by("order", "number")]
    figures.interpretations = sum(1 for r in published_rows if r.item.is_policy_document)
    figures.withdrawn = sum(1 for r in published_rows if r.item.state == "withdrawn")
    figures.corrections = sum(1 for r in published_rows if r.item.supersedes_id)
    refused = Counter(r.item.refusal_ground for r in cov.rows if r.status == coverage.REFUSED)
    figures.refusals = [(label, refused[code]) for code, label in RefusalGround.choices if refused[code]]

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
    # Section (五) counts reports, reconsiderations and lawsuits; suggestions (意见建议) are not among them.
    figures.complaints = [(label, kinds[code]) for code, label in Complaint.Kind.choices if code != Complaint.Kind.SUGGESTION]
    evaluations = Evaluation.objects.filter(held_on__gte=date_from, held_on__lte=date_to)
    figures.evaluations = evaluations.count()
    for evaluation in evaluations:
        figures.evaluation_participants += evaluation.participants
        figures.evaluation_satisfied += evaluation.satisfied
    return figures, cov


def read_narrative(text):
    """The office's narrative: a JSON object with optional string keys overview, practices, other."""
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        raise NarrativeError(f"not valid JSON: {error.msg} (line {error.lineno})") from None
    if not isinstance(data, dict):
        raise NarrativeError("must be a JSON object")
    unknown = sorted(set(data) - set(NARRATIVE_KEYS))
    if unknown:
        raise NarrativeError(f"unknown keys {', '.join(unknown)} (use {', '.join(NARRATIVE_KEYS)})")
    if any(not isinstance(value, str) for value in data.values()):
        raise NarrativeError("every value must be text")
    return {key: data.get(key, "").strip() for key in NARRATIVE_KEYS}


def academic_year_label(date_from, date_to):
    if (date_from.month, date_from.day, date_to.month, date_to.day) == (9, 1, 8, 31) and date_to.year == date_from.year + 1:
        return f"{date_from.year}-{date_to.year}学年"
    return f"{date_from:%Y年%-m月%-d日}至{date_to:%Y年%-m月%-d日}"


def render_html(figures, cov, narrative, *, issued_on):
    rows = register.table(cov)
    return render_to_string(
        "reports/annual_report.html",
        {
            "school_name": settings.SCHOOL_NAME,
            "period": academic_year_label(figures.date_from, figures.date_to),
            "f": figures,
            "narrative": narrative,
            "register_header": rows[0],
            "register_rows": rows[1:],
            "annex_widths": ANNEX_WIDTHS,
            "issued_on": issued_on,
            "static_base": settings.SITE_URL.rstrip("/") + "/" + settings.STATIC_URL.lstrip("/"),
        },
    )


def pdf_bytes(figures, cov, narrative, *, issued_on):
    from records.rendering import html_to_pdf  # WeasyPrint with the project's safe URL fetcher

    pdf, _fetcher = html_to_pdf(render_html(figures, cov, narrative, issued_on=issued_on))
    return pdf


def _record_export(actor, date_from, date_to, outputs, via):
    import hashlib

    from audit.services import record

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


def report_pdf(*, actor, date_from, date_to, narrative, issued_on):
    """The report as PDF bytes for a download, recorded as an export by `actor`."""
    from django.db import transaction

    figures, cov = compute(date_from, date_to)
    data = pdf_bytes(figures, cov, narrative, issued_on=issued_on)
    with transaction.atomic():
        _record_export(actor, date_from, date_to, [(f"annual-report-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf", data)], "web")
    return data


def export(*, actor, date_from, date_to, pdf_out, xlsx_out=None, narrative=None, issued_on):
    """Render the report (and optionally the register) and write them atomically, recording the
    export as one audit event with the files' hashes. Returns [(path, size)]."""
    from django.db import transaction

    from reports.services import _write

    narrative = narrative or {key: "" for key in NARRATIVE_KEYS}
    figures, cov = compute(date_from, date_to)
    outputs = [(pdf_out, pdf_bytes(figures, cov, narrative, issued_on=issued_on))]
    if xlsx_out is not None:
        outputs.append((xlsx_out, register.xlsx_bytes(cov)))
    with transaction.atomic():
        _record_export(actor, date_from, date_to, [(path.name, data) for path, data in outputs], "command")
        for path, data in outputs:
            _write(path, data)
    return [(path, len(data)) for path, data in outputs]
