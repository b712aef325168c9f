"""/reports/overview/: the leaders' dashboard (the office sees it too)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from policies.models import Department
from reports import overview
from reports.views import _guard, _period


@login_required
@require_safe
def overview_page(request):
    _guard(request)
    date_from, date_to, department, error = _period(request)
    context = {
        "date_from": date_from, "date_to": date_to, "department": department, "error": error,
        "departments": Department.objects.filter(active=True).order_by("code"),
    }
    if error is None:
        context["overview"] = overview.build(date_from, date_to, department=department)
    return render(request, "reports/overview.html", context, status=400 if error else 200)
