"""Who signs: the development CA, a production PKCS#12, an RFC 3161 timestamp (B-T); and the system
check that refuses to run without HarfBuzz subsetting or a CJK font."""

import datetime
import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from asn1crypto import keys as asn1_keys, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature

from records import checks, pki
from records.rendering import render_pdf
from records.signing import outside_event_loop, sign_pdf, validation_context
from records.verification import verify_pdf
from tests.records.conftest import sample_content


@pytest.fixture(scope="module")
def unsigned_pdf():
    return render_pdf(sample_content())[0]


def _status(signed):
    (signature,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    return outside_event_loop(validate_pdf_signature, signature, validation_context())


def test_the_development_ca_is_generated_once_outside_the_repository(settings, tmp_path, unsigned_pdf):
    settings.KEYS_DIR = tmp_path / "keys"
    first = pki.signing_identity()
    assert (tmp_path / "keys" / "records" / "signer.key").stat().st_mode & 0o777 == 0o600
    assert pki.signing_identity().fingerprint == first.fingerprint
    signed, fingerprint = sign_pdf(unsigned_pdf, reason="test")
    assert fingerprint == first.fingerprint
    status = _status(signed)
    assert status.bottom_line and status.trusted


def test_production_signs_with_a_pkcs12_file(db, settings, tmp_path, unsigned_pdf):
    pki._generate_dev_pki(tmp_path)  # stands for the school's own CA and signing certificate
    key = serialization.load_pem_private_key((tmp_path / "signer.key").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((tmp_path / "signer.pem").read_bytes())
    ca = x509.load_pem_x509_certificate((tmp_path / "ca.pem").read_bytes())
    bundle = pkcs12.serialize_key_and_certificates(
        b"records", key, cert, [ca], serialization.BestAvailableEncryption(b"s3cret")
    )
    (tmp_path / "records.p12").write_bytes(bundle)
    settings.RECORDS_PKCS12_PATH = str(tmp_path / "records.p12")
    settings.RECORDS_PKCS12_PASSPHRASE = "s3cret"
    identity = pki.signing_identity()
    assert identity.cert == cert and identity.roots == [ca]
    signed, fingerprint = sign_pdf(unsigned_pdf, reason="test")
    assert fingerprint == identity.fingerprint
    assert _status(signed).bottom_line
    verdict = verify_pdf(signed)
    assert verdict.signature_valid and verdict.trusted and verdict.whole_document

    settings.RECORDS_PKCS12_PASSPHRASE = "wrong"
    with pytest.raises(ImproperlyConfigured, match="RECORDS_PKCS12_PASSPHRASE"):
        pki.signing_identity()


@pytest.fixture
def tsa(tmp_path):
    """A local RFC 3161 timestamp authority over HTTP (pyHanko's reference TSA logic)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, tsa_key = ec.generate_private_key(ec.SECP256R1()), rsa.generate_private_key(65537, 2048)  # pyHanko's TSA is RSA-only
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA root")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
            .issuer_name(ca_name).public_key(tsa_key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(ca_key, hashes.SHA256()))
    der = serialization.Encoding.DER
    stamper = DummyTimeStamper(
        tsa_cert=pki.Identity.asn1(cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
    )
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append(request)
            reply = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = tmp_path / "tsa-root.pem"
    root.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    yield f"http://127.0.0.1:{server.server_address[1]}/tsr", str(root), requests
    server.shutdown()


def test_with_a_timestamp_authority_the_signature_is_pades_b_t(db, settings, tsa, unsigned_pdf):
    url, root, requests = tsa
    settings.RECORDS_TSA_URL = url
    settings.RECORDS_TRUST_ROOTS = [root]
    signed, _fingerprint = sign_pdf(unsigned_pdf, reason="test")
    assert len(requests) == 1  # one timestamp per record (the signature room is reserved up front)
    status = _status(signed)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
    assert verify_pdf(signed).timestamped is True


def test_the_system_check_fails_without_harfbuzz_subset_or_a_cjk_font(monkeypatch):
    assert checks.check_pdf_dependencies() == []  # this machine has both (bin/bootstrap installs them)
    monkeypatch.setattr(checks, "harfbuzz_subset_available", lambda: False)
    monkeypatch.setattr(checks, "cjk_fonts_available", lambda: [])
    errors = checks.check_pdf_dependencies()
    assert [e.id for e in errors] == ["records.E001", "records.E002"]
    assert all(e.is_serious() for e in errors)
    assert "libharfbuzz-subset0" in errors[0].hint and "fonts-noto-cjk" in errors[1].hint
