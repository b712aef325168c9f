"""PAdES signatures with pyHanko: B-B, or B-T with an RFC 3161 timestamp when RECORDS_TSA_URL is set."""

import asyncio
import functools
import io
from concurrent.futures import ThreadPoolExecutor

from asn1crypto import keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from records.pki import Identity, signing_identity

FIELD_NAME = "GongkaiRecordSignature"


def outside_event_loop(function, *args, **kwargs):
    """Call a pyHanko function that uses asyncio.run(), even from a thread with a running event
    loop (an ASGI handler, Playwright's sync API in tests): then it runs in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


class _LoadedKeySigner(signers.SimpleSigner):
    """SimpleSigner re-parses its private key for every signature, and cryptography's RSA key
    checks make that ~0.1 s a time (twice per record). This one signs with the key loaded once."""

    def __init__(self, *args, loaded_key, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded_key = loaded_key

    def sign_raw(self, data, digest_algorithm):
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._loaded_key, rsa.RSAPrivateKey):
            return self._loaded_key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(self._loaded_key, ec.EllipticCurvePrivateKey):
            return self._loaded_key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


@functools.lru_cache(maxsize=4)
def _signer(identity):
    key_der = identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = [Identity.asn1(c) for c in identity.chain + identity.roots]
    return _LoadedKeySigner(
        signing_cert=Identity.asn1(identity.cert),
        signing_key=keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain),
        loaded_key=identity.key,
    )


def validation_context(identity=None):
    """Trust exactly our roots; no network fetches (the development CA publishes no CRL)."""
    identity = identity or signing_identity()
    return ValidationContext(
        trust_roots=[Identity.asn1(c) for c in identity.roots],
        other_certs=[Identity.asn1(c) for c in identity.chain],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def timestamper():
    if not settings.RECORDS_TSA_URL:
        return None
    return timestamps.HTTPTimeStamper(settings.RECORDS_TSA_URL, timeout=20)


@functools.lru_cache(maxsize=8)
def _reserved_bytes(identity, *, timestamped):
    """Room for the CMS signature. Given explicitly, pyHanko skips its size estimate — a complete
    dry-run signature (and, with a TSA, a dummy timestamp request) for every record. The CMS holds
    the certificates, the RSA/ECDSA signature and signed attributes, plus a timestamp token (with
    the TSA's own certificates) for B-T."""
    certificates = sum(
        len(cert.public_bytes(serialization.Encoding.DER)) for cert in [identity.cert, *identity.chain, *identity.roots]
    )
    room = certificates + 4096 + (12288 if timestamped else 0)
    return (room + 1023) // 1024 * 1024


def sign_pdf(pdf_bytes, *, reason, identity=None):
    """Sign the whole document; returns (signed bytes, signer certificate fingerprint)."""
    identity = identity or signing_identity()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=settings.SCHOOL_NAME,
        name=settings.SCHOOL_NAME,
    )
    output = io.BytesIO()
    stamper = timestamper()
    outside_event_loop(
        signers.sign_pdf, writer, meta, signer=_signer(identity), timestamper=stamper, output=output,
        bytes_reserved=_reserved_bytes(identity, timestamped=stamper is not None),
    )
    return output.getvalue(), identity.fingerprint
