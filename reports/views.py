"""The office's and leaders' reports: catalogue coverage for a period (overdue first, by department),
the register as a table and as .xlsx. Anyone else gets a 403."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from policies.models import Department
from portal.channels import period_counts
from reports import coverage, periods, register, services

# Pages show a bounded number of rows whatever the size of the period; the register's .xlsx has them all.
ROWS_PER_PAGE = 100
OVERDUE_SHOWN = 50


def _without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _context(request):
    date_from, date_to, department, error = periods.from_query(request)
    context = {
        "date_from": date_from, "date_to": date_to, "department": department, "error": error,
        "departments": Department.objects.filter(active=True).order_by("code"),
        "statuses": [(s, coverage.STATUS_LABELS[s]) for s in coverage.STATUS_ORDER],
        "query": request.GET.urlencode(),
        "page_query": _without_page(request),
    }
    if error is None:
        cov = coverage.tally(date_from, date_to, department=department)
        # Each channel counts its posts by their own dates within the period.
        counts = [(c.code, c.name, c.count) for c in period_counts(date_from, date_to, department=department)]
        item_count = cov.total(coverage.ON_TIME, coverage.LATE)
        context.update(cov=cov, counts=cov.counts(), channel_counts=counts, item_count=item_count)
    return context


@login_required
@require_safe
def dashboard(request):
    services.require_dashboard_reader(request.user)
    context = _context(request)
    if "cov" in context:
        cov = context["cov"]
        context["by_department"] = [
            (dept, [counts.get(s, 0) for s in coverage.STATUS_ORDER]) for dept, counts in cov.by_department()
        ]
        context["totals"] = [context["counts"].get(s, 0) for s in coverage.STATUS_ORDER]
        # Overdue first (most overdue first), then everything else in catalogue order; a page at
        # a time, each page read from the database on its own.
        rows = cov.rows()
        context["overdue_total"] = rows.overdue
        context["overdue"] = rows.most_overdue(OVERDUE_SHOWN)
        context["page"] = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reports/dashboard.html", context, status=400 if context["error"] else 200)


@login_required
@require_safe
def register_table(request):
    services.require_dashboard_reader(request.user)
    context = _context(request)
    if "cov" in context:
        # A page at a time, each page read from the database on its own (the .xlsx has them all).
        page = Paginator(context["cov"].register_rows(), ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(headers=register.HEADERS, page=page, lines=register.lines(page.object_list, first=page.start_index()))
    return render(request, "reports/register.html", context, status=400 if context["error"] else 200)


@login_required
@require_safe
def register_xlsx(request):
    services.require_dashboard_reader(request.user)
    date_from, date_to, department, error = periods.from_query(request)
    if error or department is not None:
        return HttpResponse(error or _("The register covers the whole school."), status=400, content_type="text/plain; charset=utf-8")
    data = services.export_register(actor=request.user, date_from=date_from, date_to=date_to)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"register-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
