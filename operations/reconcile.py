"""The reconciler: finishes background work that a lost worker, a down broker or a killed process
left undone. Run by beat every RECONCILE_SECONDS and by `manage.py reconcile`.

What is owed is implied by state, written in the same transaction as the change (DESIGN.md, "a
state that implies it"):

| kind | owed when | repaired by |
|---|---|---|
| `publication` | an item is `publishing` and due (no `publish_at`, or it has passed) | workflow.services.complete_publication |
| `record:publication` | an item is `published`, `withdrawn` or `superseded` without the publication record of its version | records.items.issue_for_item |
| `record:withdrawal` | an item is `withdrawn` without its withdrawal record | 〃 |
| `record:refusal` | an item is `refused` without its refusal record | 〃 |
| `notice` | an item's last transition still owes its notifications (`pending_notice`) | workflow.notify.deliver |
| `mail` | an e-mail is owed (workflow.models.OutgoingMail, not sent) | workflow.outbox.send_one |
| `export` | an auditor's export bundle is still queued, or its job died while building it | audit.export.run_export |
| `import` | the office's import is still waiting, or its job died halfway (no process holds its lock) | imports.runner.run_batch |

Work counts as overdue once its item (or its mail) has not changed for RECONCILE_GRACE_SECONDS (the Celery fast
path normally finishes in about a second). Every repair is idempotent (a row lock on the item; one
record per item, version and kind) and is recorded as an `operations.repair` audit event. A failed
repair is retried with exponential backoff; after RECONCILE_ALARM_AFTER failures the office and
administrators are alarmed (in-app notice and e-mail). All mails go through one server: after a
mail fails, the rest wait for the next run, and their failures raise one alarm (`repair:mail`)."""

import datetime
import logging
import multiprocessing
from dataclasses import dataclass, field

from django.db import connection, connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit import export as audit_export
from audit.services import record as audit_record
from core import locks
from imports import runner as import_runner
from operations import conf
from operations.alarms import raise_alarm, resolve
from operations.models import Repair
from records.items import issue_for_item
from records.models import Record
from workflow import outbox
from workflow.models import DisclosureItem, OutgoingMail, State
from workflow.notify import deliver
from workflow.services import complete_publication

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    found: dict = field(default_factory=dict)
    repaired: dict = field(default_factory=dict)
    failed: list = field(default_factory=list)
    left: int = 0
    busy: bool = False

    def as_json(self):
        return {"found": self.found, "repaired": self.repaired, "failed": self.failed}


# Owed records from this many on (about a second each), an export or an import: work that takes
# minutes to hours, which ./bin/serve runs in a process of its own (operations.tasks.reconcile).
MANY_RECORDS = 10


def is_long(found):
    """Whether the overdue work `found` ({kind: count}) is long."""
    records = sum(count for kind, count in found.items() if kind.startswith("record:"))
    return records >= MANY_RECORDS or bool(found.get("export") or found.get("import"))


def _overdue_items(now=None):
    """{kind: [item ids]} of overdue work, oldest first."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=conf.grace_seconds())
    settled = DisclosureItem.objects.filter(updated_at__lte=cutoff).order_by("updated_at", "pk")

    def lacking(kind):
        return ~Exists(Record.objects.filter(item=OuterRef("pk"), version=OuterRef("version"), kind=kind))

    publishing = settled.filter(state=State.PUBLISHING).exclude(publish_at__gt=now)
    return {
        "publication": list(publishing.values_list("pk", flat=True)),
        "record:publication": list(
            settled.filter(lacking("publication"), state__in=[State.PUBLISHED, State.WITHDRAWN, State.SUPERSEDED])
            .values_list("pk", flat=True)
        ),
        "record:withdrawal": list(settled.filter(lacking("withdrawal"), state=State.WITHDRAWN).values_list("pk", flat=True)),
        "record:refusal": list(settled.filter(lacking("refusal"), state=State.REFUSED).values_list("pk", flat=True)),
        "notice": list(settled.filter(pending_notice__isnull=False).values_list("pk", flat=True)),
        "mail": outbox.owed(cutoff),
        "export": audit_export.overdue(cutoff),
        "import": import_runner.abandoned(cutoff),
    }


def _repair(kind, item_id):
    """Do the owed work; returns what the audit event says was done."""
    if kind == "publication":
        return {"published": int(bool(complete_publication(item_id)))}
    if kind == "notice":
        return {"notified": len(deliver(item_id))}
    if kind == "mail":
        return {"sent": int(outbox.send_one(item_id))}
    if kind == "export":
        return {"state": audit_export.run_export(item_id).state}
    if kind == "import":
        return {"status": import_runner.run_batch(item_id).status}

    record, created = issue_for_item(item_id, kind.split(":", 1)[1])
    return {"record": record.pk, "created": int(created)}


def _backoff(attempts):
    return datetime.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), conf.backoff_max()))


def _item_label(item_id):
    title = DisclosureItem.objects.filter(pk=item_id).values_list("title", flat=True).first() or ""
    return title


KIND_LABELS = {
    "publication": "发布",
    "record:publication": "信息公开记录",
    "record:withdrawal": "撤回公开记录",
    "record:refusal": "不予公开决定记录",
    "notice": "待办与结果通知",
    "mail": "邮件",
    "export": "审计日志导出包",
    "import": "历史信息导入",
}

OBJECT_TYPES = {"mail": "workflow.outgoingmail", "export": "audit.auditexport", "import": "imports.importbatch"}  # the rest repair items


def _alarm(kind, item_id):
    """(key, title, item) of the alarm for a repair that keeps failing."""
    if kind == "mail":  # one server behind every mail: one alarm
        owed = OutgoingMail.objects.filter(sent_at__isnull=True).count()
        return "repair:mail", f"邮件多次发送失败，{owed} 封待发：请检查邮件服务器", None
    if kind in ("export", "import"):
        return f"repair:{kind}:{item_id}", f"后台任务多次失败：{KIND_LABELS[kind]}", None
    title = f"后台任务多次失败：{KIND_LABELS.get(kind, kind)} · {_item_label(item_id)[:120]}"
    return f"repair:{kind}:{item_id}", title, DisclosureItem.objects.filter(pk=item_id).first()


def _failed(kind, item_id, error, repair, now):
    repair.attempts += 1
    repair.last_error = f"{type(error).__name__}: {error}"[:2000]
    repair.next_attempt_at = now + _backoff(repair.attempts)
    if repair.attempts >= conf.alarm_after() and repair.alarmed_at is None:
        repair.alarmed_at = now
        key, title, item = _alarm(kind, item_id)
        raise_alarm(key, title, repair.last_error, audience="office", item=item)
    repair.save()


def _work(kind, ids, now, force):
    """Repair the overdue `ids` of one kind in this process: (repaired, failed, left)."""
    repaired, failed, left = 0, [], 0
    repairs = {r.object_id: r for r in Repair.objects.filter(kind=kind, object_id__in=ids)}
    for index, item_id in enumerate(ids):
        repair = repairs.get(item_id) or Repair(kind=kind, object_id=item_id, first_seen_at=now, next_attempt_at=now)
        if repair.repaired_at is not None:  # owed again (e.g. a new version): a fresh start
            repair.attempts, repair.repaired_at, repair.alarmed_at = 0, None, None
            repair.next_attempt_at = now
        if repair.next_attempt_at > now and not force:
            left += 1
            continue
        try:
            what = _repair(kind, item_id)
        except Exception as error:  # any failure is counted, backed off and finally alarmed
            log.exception("reconcile: %s of item %s failed", kind, item_id)
            _failed(kind, item_id, error, repair, timezone.now())
            failed.append({"kind": kind, "object": item_id, "error": repair.last_error})
            left += 1
            if kind == "mail":  # the server is down, most likely: the rest wait for the next run
                left += len(ids) - index - 1
                break
            continue
        with transaction.atomic():
            audit_record(
                "operations.repair", actor=None, object_type=OBJECT_TYPES.get(kind, "workflow.disclosureitem"),
                object_id=item_id,
                data={"kind": kind, "failed_attempts": repair.attempts, **what},
            )
            repair.repaired_at = timezone.now()
            repair.save()
        if repair.alarmed_at:
            _resolve(kind, item_id)
        repaired += 1
    return repaired, failed, left


def _resolve(kind, item_id):
    if kind != "mail":
        resolve(f"repair:{kind}:{item_id}")
    elif not Repair.objects.filter(kind="mail", repaired_at__isnull=True, alarmed_at__isnull=False).exists():
        resolve("repair:mail")  # the last mail that had failed long enough went out


def _work_job(args):
    try:
        return _work(*args)
    finally:
        connection.close()


def _in_processes(kind, ids, now, force, workers):
    """Records render in `workers` forked processes (one database connection each); publications,
    small batches and calls inside a transaction stay in this process."""
    if workers < 2 or len(ids) < 2 * workers or not kind.startswith("record:") or connection.in_atomic_block:
        return [_work(kind, ids, now, force)]
    connections.close_all()  # children open their own connections
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(_work_job, [(kind, ids[n::workers], now, force) for n in range(workers)], chunksize=1)


def reconcile(*, dry_run=False, force=False, now=None, workers=1):
    """Find overdue work and (unless dry_run) finish it; `force` ignores the backoff of failed
    repairs (the office's "finish now"); `workers` > 1 renders records in that many processes
    (`manage.py reconcile --workers N`; beat's run inside a Celery worker uses one). Returns an
    Outcome; `left` counts what is still overdue afterwards (waiting for its backoff, or failed)."""
    now = now or timezone.now()
    outcome = Outcome()
    owed = _overdue_items(now)
    outcome.found = {kind: len(ids) for kind, ids in owed.items()}
    if dry_run:
        outcome.left = sum(outcome.found.values())
        return outcome
    with locks.held("reconcile") as mine:  # one reconciler at a time
        if not mine:
            outcome.busy = True
            outcome.left = sum(outcome.found.values())
            return outcome
        for kind, ids in owed.items():
            outcome.repaired[kind] = 0
            for repaired, failed, left in _in_processes(kind, ids, now, force, workers):
                outcome.repaired[kind] += repaired
                outcome.failed += failed
                outcome.left += left
    return outcome
