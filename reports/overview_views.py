"""/reports/overview/: the leaders' dashboard (the office sees it too)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from policies.models import Department
from reports import overview, periods, services


@login_required
@require_safe
def overview_page(request):
    services.require_dashboard_reader(request.user)
    date_from, date_to, department, error = periods.from_query(request)
    context = {
        "date_from": date_from, "date_to": date_to, "department": department, "error": error,
        "departments": Department.objects.filter(active=True).order_by("code"),
    }
    if error is None:
        context["overview"] = overview.build(date_from, date_to, department=department)
    return render(request, "reports/overview.html", context, status=400 if error else 200)
