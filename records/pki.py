"""The signing identity of records.

Production: a PKCS#12 file (RECORDS_PKCS12_PATH) and its passphrase (RECORDS_PKCS12_PASSPHRASE).
Development: a local CA and a signing certificate generated on first use into
settings.KEYS_DIR/records/ (never committed), created once even when several workers start together.
"""

import datetime
import fcntl
import functools
import hashlib
import os
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.files import atomic_write

DEV_CA_NAME = "Gongkai development records CA"


def dev_dir():
    return Path(settings.KEYS_DIR) / "records"


def _name(common_name):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.SCHOOL_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path, data):
    atomic_write(path, data, mode=0o600)


# The development certificates are valid from long before they are made, so that a record signed
# at any plausible date (tests travel in time; history imports) verifies whichever signed first.
BACKDATED = datetime.timedelta(days=365 * 10)


def _generate_dev_pki(directory):
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_name = _name(DEV_CA_NAME)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATED)
        .not_valid_after(now + datetime.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{settings.SCHOOL_NAME} 信息公开记录签名 (development)"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATED)
        .not_valid_after(now + datetime.timedelta(days=365 * 10))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    pkcs8 = serialization.PrivateFormat.PKCS8
    plain = serialization.NoEncryption()
    _write_private(directory / "ca.key", ca_key.private_bytes(pem, pkcs8, plain))
    _write_private(directory / "signer.key", key.private_bytes(pem, pkcs8, plain))
    (directory / "signer.pem").write_bytes(cert.public_bytes(pem))
    # The CA certificate last: its presence means the set is complete.
    (directory / "ca.pem").write_bytes(ca_cert.public_bytes(pem))


def ensure_dev_pki():
    """Create the development CA and signer under KEYS_DIR/records/ unless they exist."""
    directory = dev_dir()
    if (directory / "ca.pem").exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / "ca.pem").exists():
            _generate_dev_pki(directory)
    return directory


class Identity:
    """A signing key, its certificate and the chain up to the trust root."""

    def __init__(self, key, cert, chain, roots):
        self.key = key  # cryptography private key
        self.cert = cert  # cryptography x509.Certificate
        self.chain = chain  # intermediates (cryptography certs), not including the signer
        self.roots = roots  # trust roots (cryptography certs)

    @property
    def fingerprint(self):
        return hashlib.sha256(self.cert.public_bytes(serialization.Encoding.DER)).hexdigest()

    @staticmethod
    def asn1(cert):
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _from_pkcs12(path, passphrase):
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ImproperlyConfigured(f"RECORDS_PKCS12_PATH cannot be read: {error}") from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase.encode() if passphrase else None)
    except ValueError:
        raise ImproperlyConfigured("RECORDS_PKCS12_PATH could not be opened with RECORDS_PKCS12_PASSPHRASE") from None
    if key is None or cert is None:
        raise ImproperlyConfigured("RECORDS_PKCS12_PATH holds no private key and certificate")
    extra = list(extra or [])
    roots = [c for c in extra if c.subject == c.issuer]
    chain = [c for c in extra if c.subject != c.issuer]
    if not roots:
        roots = [cert] if cert.subject == cert.issuer else []
    return Identity(key, cert, chain, roots)


def _from_dev_dir(directory):
    load_key = serialization.load_pem_private_key
    key = load_key((directory / "signer.key").read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate((directory / "signer.pem").read_bytes())
    ca = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    return Identity(key, cert, [], [ca])


def _extra_roots():
    roots = []
    for path in settings.RECORDS_TRUST_ROOTS:
        try:
            roots.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
        except (OSError, ValueError) as error:
            raise ImproperlyConfigured(f"RECORDS_TRUST_ROOTS: cannot load {path}: {error}") from None
    return roots


@functools.lru_cache(maxsize=4)
def _identity(pkcs12_path, passphrase, keys_dir, extra_roots):
    if pkcs12_path:
        identity = _from_pkcs12(pkcs12_path, passphrase)
    else:
        identity = _from_dev_dir(ensure_dev_pki())
    identity.roots = identity.roots + _extra_roots()
    return identity


def signing_identity():
    """The configured identity (cached per configuration)."""
    return _identity(
        settings.RECORDS_PKCS12_PATH,
        settings.RECORDS_PKCS12_PASSPHRASE,
        str(settings.KEYS_DIR),
        tuple(settings.RECORDS_TRUST_ROOTS),
    )
