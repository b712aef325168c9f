"""Formal letters to applicants (受理回执, 补正通知, 延期答复告知书, 征求第三方意见函, 答复书) as signed
PDFs through the records pipeline: the same renderer, signature, proof bundle and verification as
records. A letter is promised in the transaction that decides it (InformationRequest.letter_plan)
and issued after commit; issuing is idempotent (one letter per request, kind and sequence).

Wording lives in template files (foi/templates/foi/letters/); the office adjusts them by placing a
file of the same name in FOI_LETTER_TEMPLATES_DIR. Every wording used is kept (LetterTemplate, by
digest), audited on first use, and named by each letter it printed."""

import datetime
import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import engines
from django.utils import timezone, translation

from audit.models import AuditEvent
from audit.services import record as audit_record
from foi.models import InformationRequest, Letter, LetterTemplate
from core.env import env_str
from core.grounds import RefusalGround
from foi.services import REPLY_WORKING_DAYS
from foi.tasks import issue_letter
from records import audit_link
from records.services import write_file

log = logging.getLogger(__name__)

TITLES = {
    Letter.Kind.RECEIPT: "信息公开申请受理回执",
    Letter.Kind.CORRECTION: "信息公开申请补正通知书",
    Letter.Kind.EXTENSION: "延期答复告知书",
    Letter.Kind.THIRD_PARTY: "征求第三方意见函",
    Letter.Kind.REPLY: "信息公开申请答复书",
}
BASE_TEMPLATE = "base.html"
# The school's supervising education authority, named in the remedy text (投诉举报).
SUPERVISING_AUTHORITY = env_str("FOI_SUPERVISING_AUTHORITY", "省教育厅")


def template_dir_override():
    configured = env_str("FOI_LETTER_TEMPLATES_DIR")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "letters"


def _template_text(name):
    override = template_dir_override() / name
    if override.is_file():
        return override.read_text(encoding="utf-8")
    return (Path(__file__).parent / "templates" / "foi" / "letters" / name).read_text(encoding="utf-8")


def schedule(request_id, kind, sequence):
    """Issue the letter once the promising transaction commits (Celery when a broker is set)."""
    transaction.on_commit(lambda: issue_letter.delay(request_id, kind, sequence))


def request_events(request_id):
    return list(
        AuditEvent.objects.filter(object_type="foi.informationrequest", object_id=str(request_id))
        .order_by("seq").values_list("seq", flat=True)
    )


def _chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _context(req, kind, sequence, issued_at):
    from records.rendering import qr_url

    draft_ground = req.refusal_ground
    return {
        "qr_url": qr_url(),
        "verify_url": settings.SITE_URL.rstrip("/") + "/verify/",
        "school_name": settings.SCHOOL_NAME,
        "authority": SUPERVISING_AUTHORITY,
        "title": TITLES[kind],
        "letter_no": f"{req.number}-{kind.upper()}-{sequence}",
        "issued_on": _chinese_date(timezone.localtime(issued_at).date()),
        "req": req,
        "applicant": req.applicant_name or "申请人",
        "received_on": _chinese_date(req.received_on),
        "submitted_on": _chinese_date(timezone.localtime(req.submitted_at).date()) if req.submitted_at else "",
        "due_on": _chinese_date(req.due_on),
        "answered_on": _chinese_date(req.answered_on),
        "outcome": req.outcome,
        "outcome_label": dict(InformationRequest.Outcome.choices).get(req.outcome, ""),
        "ground": draft_ground,
        "ground_label": dict(RefusalGround.choices).get(draft_ground, ""),
        "form_label": req.get_form_wanted_display(),
        "delivery_label": req.get_delivery_display(),
        "reply_days": REPLY_WORKING_DAYS,
    }


def render_letter_html(req, kind, sequence, issued_at):
    """(html, [(template name, text)]) for this letter."""
    name = f"{kind}.html"
    texts = [(BASE_TEMPLATE, _template_text(BASE_TEMPLATE)), (name, _template_text(name))]
    engine = engines["django"]
    base = engine.from_string(texts[0][1])
    body = engine.from_string(texts[1][1])
    with translation.override("zh-hans"):
        context = _context(req, kind, sequence, issued_at)
        context["letter_body"] = body.render(context)
        html = base.render(context)
    return html, texts


def issue(request_id, kind, sequence):
    """Render, sign, store and register one letter; returns (letter, created)."""
    from records.rendering import PROOF_ATTACHMENT_NAME, html_to_pdf, proof_bytes, qr_png, qr_url
    from records.signing import sign_pdf

    found = Letter.objects.filter(request_id=request_id, kind=kind, sequence=sequence).first()
    if found:
        return found, False
    req = InformationRequest.objects.select_related("department").get(pk=request_id)
    if kind not in Letter.Kind.values:
        raise ValueError(f"unknown letter kind {kind!r}")
    number = f"{req.number}-{kind.upper()}-{sequence}"
    proof = audit_link.checkpoint_with_proofs(request_events(request_id), reason=f"letter {number}")
    issued_at = timezone.now()
    html, texts = render_letter_html(req, kind, sequence, issued_at)
    verify_url = settings.SITE_URL.rstrip("/") + "/verify/"
    # The same proof bundle as a record's (records.items.content_for): /verify/ checks it alike.
    bundle = {
        "format": "gongkai-letter/1",
        "letter": {"number": number, "request": req.number, "kind": kind, "sequence": sequence, "issued_at": issued_at.isoformat()},
        "school": settings.SCHOOL_NAME,
        "title": TITLES[kind],
        "audit": {key: proof[key] for key in ("origin", "size", "root", "checkpoint", "events")},
    }
    unsigned, _fetcher = html_to_pdf(
        html,
        attachments={qr_url(): (qr_png(verify_url), "image/png")},
        files=[(PROOF_ATTACHMENT_NAME, proof_bytes(bundle), "审计证明 audit proofs")],
    )
    signed, fingerprint = sign_pdf(unsigned, reason=f"{TITLES[kind]} / letter {number}")
    sha256 = hashlib.sha256(signed).hexdigest()
    relative = f"letters/{issued_at:%Y}/{number}-{sha256[:16]}.pdf"
    path = write_file(relative, signed)
    digest = hashlib.sha256("\n".join(text for _name, text in texts).encode("utf-8")).hexdigest()
    try:
        with transaction.atomic():
            for name, text in texts:
                version, created = LetterTemplate.objects.get_or_create(
                    digest=hashlib.sha256(text.encode("utf-8")).hexdigest(), defaults={"name": name, "text": text}
                )
                if created:
                    audit_record("foi.letter_template.version", actor=None, obj=version, data={"name": name, "digest": version.digest})
            letter = Letter.objects.create(
                request_id=request_id, kind=kind, sequence=sequence, title=TITLES[kind], template_digest=digest,
                sha256=sha256, size=len(signed), path=relative, signer_fingerprint=fingerprint,
                event_seqs=[e["seq"] for e in proof["events"]], checkpoint_size=proof["size"],
                checkpoint_root=proof["root"], issued_at=issued_at,
            )
            audit_record(
                "foi.letter.issue", actor=None, obj=letter,
                department=req.department.code if req.department_id else "",
                data={"number": number, "request": req.number, "kind": kind, "sha256": sha256, "template": digest,
                      "checkpoint_size": proof["size"], "checkpoint_root": proof["root"]},
            )
    except IntegrityError:
        path.unlink(missing_ok=True)
        found = Letter.objects.filter(request_id=request_id, kind=kind, sequence=sequence).first()
        if found is None:
            raise
        return found, False
    return letter, True


def missing_letters(grace_seconds=0):
    """Letters promised (letter_plan) but not issued: [(request id, kind, sequence)]. Requests changed
    in the last `grace_seconds` are left to the fast path (Celery, on commit)."""
    issued = set(Letter.objects.values_list("request_id", "kind", "sequence"))
    missing = []
    requests = InformationRequest.objects.exclude(letter_plan=[])
    if grace_seconds:
        cutoff = timezone.now() - datetime.timedelta(seconds=grace_seconds)
        recent = set(
            AuditEvent.objects.filter(object_type="foi.informationrequest", recorded_at__gt=cutoff)
            .values_list("object_id", flat=True)
        )
    else:
        recent = set()
    for pk, plan in requests.values_list("pk", "letter_plan"):
        if str(pk) in recent:
            continue
        missing += [(pk, e["kind"], e["sequence"]) for e in plan if (pk, e["kind"], e["sequence"]) not in issued]
    return missing


def lookup(sha256):
    """What /verify/ shows for a letter with this file hash, or None."""
    letter = Letter.objects.filter(sha256=sha256).select_related("request").first()
    if letter is None:
        return None
    return {"number": letter.number, "item": None, "version": letter.sequence, "kind": f"letter:{letter.kind}",
            "title": letter.title, "issued_at": letter.issued_at.isoformat()}
