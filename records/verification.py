"""Is this PDF an authentic, unmodified record issued by this system?

Checks, in order, each reported separately so a person sees what failed:
1. it is a PDF with exactly one signature, cryptographically intact and valid;
2. the signer's certificate chains to our trust root;
3. the signature covers the whole file (nothing appended after signing: no later revision);
4. the file's SHA-256 is a record we issued;
5. the embedded proof bundle's checkpoint is signed by the audit key, every event's inclusion proof
   leads to that checkpoint's root, and those events are in our log with the same hashes.
"""

import hashlib
import io
import json
import logging
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy as _

from records import audit_link
from records.models import Record
from records.rendering import PROOF_ATTACHMENT_NAME
from records.transparency import parse_checkpoint, verify_inclusion

log = logging.getLogger(__name__)

MESSAGES = {
    "not_pdf": _("The file is not a PDF."),
    "unreadable": _("The PDF cannot be read."),
    "no_signature": _("The PDF carries no signature."),
    "several_signatures": _("The PDF carries more than one signature."),
    "signature_invalid": _("The signature does not match the content: the file was changed after signing."),
    "untrusted": _("The signing certificate is not one of this school's record certificates."),
    "not_whole_file": _("Content was added after signing (a later revision): the signed part is not the whole file."),
    "unknown_hash": _("This file is not a record issued by this system (its SHA-256 is unknown)."),
    "no_proof": _("The record's audit proof attachment is missing or unreadable."),
    "checkpoint_invalid": _("The record's checkpoint is not signed by the audit key."),
    "proof_invalid": _("An audit event's inclusion proof does not lead to the checkpoint."),
    "events_unknown": _("The record's audit events are not in this system's audit log."),
}


@dataclass
class Verdict:
    ok: bool = False
    sha256: str = ""
    signature_valid: bool = False
    trusted: bool = False
    whole_document: bool = False
    known: bool = False
    events_included: bool = False
    signer: str = ""
    signed_at: str = ""
    timestamped: bool = False
    record: dict | None = None
    checkpoint: dict | None = None
    problems: list = field(default_factory=list)

    def fail(self, code):
        if code not in self.problems:
            self.problems.append(code)

    def messages(self):
        return [str(MESSAGES[code]) for code in self.problems]

    def as_json(self):
        data = asdict(self)
        data["messages"] = [str(MESSAGES[code]) for code in self.problems]
        return data


def _embedded_files(reader):
    names = reader.root.get("/Names")
    if names is None or "/EmbeddedFiles" not in names:
        return {}
    files = {}
    stack = [names["/EmbeddedFiles"]]
    while stack:  # a name tree: leaves carry /Names [key, filespec, …], inner nodes /Kids
        node = stack.pop()
        for kid in node.get("/Kids", []):
            stack.append(kid.get_object())
        pairs = node.get("/Names", [])
        for index in range(0, len(pairs) - 1, 2):
            spec = pairs[index + 1].get_object()
            try:
                files[str(pairs[index])] = spec["/EF"]["/F"].get_object().data
            except (KeyError, TypeError):
                continue
    return files


def _check_signature(data, verdict):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    from records.signing import outside_event_loop, validation_context

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # hostile uploads: any parser failure is "unreadable", never a crash
        log.info("unreadable PDF: %r", error)
        verdict.fail("unreadable")
        return None
    if not signatures:
        verdict.fail("no_signature")
        return reader
    if len(signatures) > 1:
        verdict.fail("several_signatures")
    signature = signatures[-1] if len(signatures) > 1 else signatures[0]
    try:
        status = outside_event_loop(validate_pdf_signature, signature, validation_context(), skip_diff=True)
    except Exception as error:  # a mangled signature dictionary or CMS blob is an invalid signature
        log.info("signature could not be validated: %r", error)
        verdict.fail("signature_invalid")
        return reader
    verdict.signature_valid = bool(status.intact and status.valid)
    verdict.trusted = bool(status.trusted)
    verdict.whole_document = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1
    verdict.timestamped = status.timestamp_validity is not None
    cert = status.signing_cert
    verdict.signer = cert.subject.human_friendly if cert is not None else ""
    if status.signer_reported_dt:
        verdict.signed_at = status.signer_reported_dt.isoformat()
    if not verdict.signature_valid:
        verdict.fail("signature_invalid")
    elif not verdict.trusted:
        verdict.fail("untrusted")
    if not verdict.whole_document:
        verdict.fail("not_whole_file")
    return reader


def _check_proofs(reader, verdict):
    """The embedded proof bundle against the audit key and our log."""
    try:
        bundle = json.loads(_embedded_files(reader)[PROOF_ATTACHMENT_NAME])
        audit = bundle["audit"]
        note = audit["checkpoint"]
        events = audit["events"]
    except Exception:  # any malformed bundle is one and the same problem for the reader
        verdict.fail("no_proof")
        return
    try:
        body = audit_link.open_checkpoint_note(note)
        origin, size, root = parse_checkpoint(body)
    except (ValueError, KeyError, TypeError):
        verdict.fail("checkpoint_invalid")
        return
    verdict.checkpoint = {"origin": origin, "size": size, "root": root.hex()}
    try:
        for event in events:
            proof = [bytes.fromhex(h) for h in event["proof"]]
            if not verify_inclusion(event["seq"] - 1, size, bytes.fromhex(event["leaf_hash"]), proof, root):
                verdict.fail("proof_invalid")
                return
    except (ValueError, KeyError, TypeError):
        verdict.fail("proof_invalid")
        return
    if not audit_link.events_match({e["seq"]: e["leaf_hash"] for e in events}):
        verdict.fail("events_unknown")
        return
    verdict.events_included = bool(events)


# Other documents signed through this pipeline (an app's lookup(sha256) -> dict or None, registered
# in its AppConfig.ready): they verify exactly like records.
DOCUMENT_LOOKUPS = []


def _other_document(sha256):
    for lookup in DOCUMENT_LOOKUPS:
        found = lookup(sha256)
        if found:
            return found
    return None


def verify_pdf(data):
    """Verify a record's bytes; never raises for bad input."""
    verdict = Verdict(sha256=hashlib.sha256(data).hexdigest())
    if not data.startswith(b"%PDF-"):
        verdict.fail("not_pdf")
        return verdict
    reader = _check_signature(data, verdict)
    record = Record.objects.filter(sha256=verdict.sha256).first()
    other = _other_document(verdict.sha256) if record is None else None
    if other is not None:
        verdict.known = True
        verdict.record = other
    elif record is None:
        verdict.fail("unknown_hash")
    else:
        verdict.known = True
        verdict.record = {
            "number": record.number,
            "item": record.item_id,
            "version": record.version,
            "kind": record.kind,
            "title": record.title,
            "issued_at": record.issued_at.isoformat(),
        }
    if reader is not None and "unreadable" not in verdict.problems:
        _check_proofs(reader, verdict)
    verdict.ok = not verdict.problems and all(
        (verdict.signature_valid, verdict.trusted, verdict.whole_document, verdict.known, verdict.events_included)
    )
    return verdict


