from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from imports.models import ImportBatch
from operations import health
from operations.alarms import open_alarms
from operations.models import Repair
from operations.reconcile import KIND_LABELS, OBJECT_TYPES, is_long, reconcile
from operations.tasks import start_in_background
from policies.access import is_office
from workflow.models import DisclosureItem, OutgoingMail


@never_cache
def healthz(request):
    """Liveness: the process answers."""
    return JsonResponse({"ok": True})


@never_cache
def readyz(request):
    """Readiness: the database (and the broker, if configured) answer."""
    checks = health.ready()
    ok = all(check.ok for check in checks)
    return JsonResponse({"ok": ok, "checks": [c.as_json() for c in checks]}, status=200 if ok else 503)


def may_operate(user):
    return is_office(user)


CHECK_LABELS = {
    "database": "数据库",
    "broker": "消息队列",
    "worker": "后台任务进程",
    "beat": "定时调度",
    "overdue jobs": "逾期的后台任务",
    "owed mail": "逾期未发的邮件",
    "items missing records": "缺少签章记录的事项",
    "record files": "记录文件",
    "audit verification": "审计日志校验",
    "audit checkpoint": "审计检查点",
    "disk": "磁盘空间",
    "fonts": "字体",
    "alarms": "告警",
}


@login_required
def status(request):
    """The office's and administrators' health page: every check, open alarms, failing repairs."""
    if not may_operate(request.user):
        raise PermissionDenied
    checks = health.all_checks(run_verification=False)
    rows = [(CHECK_LABELS.get(c.name, c.name), c) for c in checks]

    failing = list(Repair.objects.filter(repaired_at__isnull=True, attempts__gt=0).order_by("-attempts")[:50])

    def subject(repair):  # what a repair is about: an item, a mail or an import (an export has no title)
        return repair.kind if repair.kind in OBJECT_TYPES else "item"

    sources = {"item": (DisclosureItem, "title"), "mail": (OutgoingMail, "subject"), "import": (ImportBatch, "file_name")}
    titles = {kind: dict(model.objects.filter(pk__in=[r.object_id for r in failing if subject(r) == kind]).values_list("pk", field))
              for kind, (model, field) in sources.items()}
    for repair in failing:
        repair.label = KIND_LABELS.get(repair.kind, repair.kind)
        repair.title = titles.get(subject(repair), {}).get(repair.object_id, "")
    return render(request, "operations/status.html", {
        "rows": rows, "ok": all(c.ok for c in checks), "alarms": open_alarms()[:50], "failing": failing,
    })


@require_POST
@login_required
def retry(request):
    """Run the reconciler now, without waiting for the backoff of failed repairs."""
    if not may_operate(request.user):
        raise PermissionDenied

    owed = reconcile(dry_run=True).found
    if is_long(owed):  # hours of records after an import: not in the office's request
        if start_in_background(force=True) is None:
            messages.warning(request, _("Another reconciler is running; try again in a minute."))
        else:
            messages.info(request, _("%(n)s overdue jobs are being finished in the background; this page shows what is left.")
                          % {"n": sum(owed.values())})
        return redirect("operations:status")
    outcome = reconcile(force=True)
    repaired = sum(outcome.repaired.values())
    if outcome.busy:
        messages.warning(request, _("Another reconciler is running; try again in a minute."))
    elif outcome.failed:
        messages.error(request, _("Repaired %(n)s; %(f)s still failing.") % {"n": repaired, "f": len(outcome.failed)})
    else:
        messages.success(request, _("Repaired %(n)s.") % {"n": repaired})
    return redirect("operations:status")
