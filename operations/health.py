"""The installation's health, for `manage.py doctor`, the office's health page and /readyz.
Each check is (name, ok, detail); details are plain sentences for an operator."""

import datetime
import hashlib
import shutil
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import conf as audit_conf, services
from audit.models import AuditEvent
from audit.signals import log_verified
from audit.verify import verify_log
from operations import conf
from operations.alarms import open_alarms
from operations.heartbeats import last
from operations.reconcile import KIND_LABELS, reconcile
from records.models import Record
from workflow.models import OutgoingMail


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def as_json(self):
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("database", True, _("%(vendor)s answers") % {"vendor": connection.vendor})
    except Exception as error:
        return Check("database", False, f"{type(error).__name__}: {error}")


def broker(timeout=2.0):
    if not settings.CELERY_BROKER_URL:
        return Check("broker", True, _("none configured: background jobs run in the web process"))
    from celery import current_app as app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return Check("broker", True, _("answers"))
    except Exception as error:
        return Check("broker", False, _("unreachable: %(error)s") % {"error": error})


def _age(heartbeat):
    return (timezone.now() - heartbeat.at).total_seconds() if heartbeat else None


def heartbeat(name):
    limit = 3 * max(conf.heartbeat_seconds(), conf.reconcile_seconds())
    beat = last(name)
    age = _age(beat)
    if not settings.CELERY_BROKER_URL and beat is None:
        return Check(name, True, _("in-process scheduler (no broker); no heartbeat yet"))
    if age is None:
        return Check(name, False, _("it has never reported"))
    return Check(name, age <= limit, _("last seen %(age)s s ago (limit %(limit)s s)") % {"age": int(age), "limit": limit})


def overdue_work():
    found = reconcile(dry_run=True).found
    stuck = {kind: n for kind, n in found.items() if kind in ("publication", "notice", "export") and n}
    missing = {kind: n for kind, n in found.items() if kind.startswith("record:") and n}

    def listed(counts):
        return "、".join(f"{KIND_LABELS.get(kind, kind)} {n}" for kind, n in counts.items()) if counts else _("none")

    return [Check("overdue jobs", not stuck, listed(stuck)), Check("items missing records", not missing, listed(missing)),
            owed_mail(found.get("mail", 0))]


def owed_mail(overdue):
    """E-mail owed longer than the reconciler's grace: the mail server refuses or is down."""
    if not overdue:
        return Check("owed mail", True, _("none past its deadline"))
    oldest = OutgoingMail.objects.filter(sent_at__isnull=True).order_by("created_at").first()
    if oldest is None:  # sent meanwhile
        return Check("owed mail", True, _("none past its deadline"))
    detail = _("%(n)s e-mails not sent, the oldest for %(minutes)s min") % {
        "n": overdue, "minutes": int((timezone.now() - oldest.created_at).total_seconds() // 60)}
    if oldest.last_error:
        detail += "; " + _("last error: %(error)s") % {"error": oldest.last_error[:200]}
    return Check("owed mail", False, detail)


def record_files():
    missing, changed, total = [], [], 0
    for record in Record.objects.only("item_id", "version", "kind", "path", "sha256").iterator(chunk_size=2000):
        total += 1
        path = settings.RECORDS_DIR / record.path
        try:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError:
            missing.append(record.number)
            continue
        if digest.hexdigest() != record.sha256:
            changed.append(record.number)
    ok = not missing and not changed
    detail = _("%(n)s records") % {"n": total}
    if missing:
        detail += "; " + _("missing: %(numbers)s") % {"numbers": ", ".join(missing[:5])} + (" …" if len(missing) > 5 else "")
    if changed:
        detail += "; " + _("changed since signing: %(numbers)s") % {"numbers": ", ".join(changed[:5])} + (" …" if len(changed) > 5 else "")
    return Check("record files", ok, detail)


def verification_due(now=None):
    """Whether the periodic job should verify the log again (AUDIT_VERIFY_EVERY_SECONDS since the
    last verification, whoever ran it)."""
    latest = last("audit_verify")
    every = datetime.timedelta(seconds=conf.verify_every_seconds())
    return latest is None or (now or timezone.now()) - latest.at >= every


def verify_audit_log(workers=None):
    """Verify the whole log from its rows and remember the outcome (operations.signals: the check
    below reads it; a log that does not verify raises an alarm)."""
    result = verify_log(workers=workers)
    log_verified.send(sender=verify_audit_log, result=result)
    return result


def audit_verification(*, run_if_stale):
    latest = last("audit_verify")
    stale = latest is None or timezone.now() - latest.at > datetime.timedelta(days=1)
    if stale and run_if_stale:
        verify_audit_log()
        latest, stale = last("audit_verify"), False
    if latest is None:
        return Check("audit verification", False, _("not verified yet: the system verifies the log within the hour"))
    detail = latest.detail
    when = timezone.localtime(latest.at).strftime("%Y-%m-%d %H:%M")
    if not detail.get("ok"):
        return Check("audit verification", False, _("%(when)s: FAILED at event %(seq)s") % {"when": when, "seq": detail.get("first_bad_seq")})
    if detail.get("unanchored"):
        return Check("audit verification", False, _("%(when)s: no signed checkpoint covers the log") % {"when": when})
    return Check("audit verification", not stale, _("%(when)s: ok, %(n)s events") % {"when": when, "n": detail.get("size")})


def checkpoint_age():
    problem = services.signer_problem()
    if problem:
        return Check("audit checkpoint", False, _("signing refused: %(problem)s") % {"problem": problem})
    latest = services.latest_checkpoint()
    signed = latest.tree_size if latest else 0
    # How long the oldest event not yet signed has waited — not how long ago the last checkpoint
    # was signed: after a quiet hour the next login is not an overdue checkpoint.
    waiting_since = AuditEvent.objects.filter(seq__gt=signed).order_by("seq").values_list("recorded_at", flat=True).first()
    if waiting_since is None:
        return Check("audit checkpoint", True, _("covers all %(n)s events") % {"n": signed})
    limit = 3 * audit_conf.checkpoint_interval()
    age = (timezone.now() - waiting_since).total_seconds()
    if latest is None:
        return Check("audit checkpoint", age <= limit, _("events exist but no checkpoint has been signed"))
    return Check("audit checkpoint", age <= limit,
                 _("the oldest unsigned event has waited %(age)s s (limit %(limit)s s)") % {"age": int(age), "limit": limit})


def disk():
    problems, details = [], []
    for label, path in (("var", settings.VAR_DIR), ("records", settings.RECORDS_DIR)):
        path.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(path).free
        details.append(_("%(where)s: %(free).1f GiB free") % {"where": label, "free": free / (1 << 30)})
        if free < conf.min_free_bytes():
            problems.append(label)
    return Check("disk", not problems, "; ".join(details))


def fonts():
    from records.checks import cjk_fonts_available, harfbuzz_subset_available

    harfbuzz, cjk = harfbuzz_subset_available(), cjk_fonts_available()
    detail = (_("HarfBuzz subsetting present") if harfbuzz else _("libharfbuzz-subset0 missing")) + "; " + (
        _("CJK fonts: %(fonts)s") % {"fonts": ", ".join(cjk)} if cjk else _("no Noto CJK SC font"))
    return Check("fonts", harfbuzz and bool(cjk), detail)


def alarms():
    titles = list(open_alarms().values_list("title", flat=True)[:5])
    return Check("alarms", not titles, "; ".join(titles) if titles else _("none open"))


def all_checks(*, run_verification=True):
    checks = [database()]
    if not checks[0].ok:
        return checks
    checks += [broker(), heartbeat("worker"), heartbeat("beat"), *overdue_work(), record_files(),
               audit_verification(run_if_stale=run_verification), checkpoint_age(), disk(), fonts(), alarms()]
    return checks


def ready():
    """What /readyz needs: the database, and the broker if one is configured."""
    return [database(), broker(timeout=1.0)]
