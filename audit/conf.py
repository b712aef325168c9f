"""Audit settings, read from the environment (documented defaults; see audit/README.md).

AUDIT_SIGNING_KEY        Ed25519 private key for checkpoints: PEM (PKCS#8) or base64 of the 32-byte
                         seed. Default: unset, then AUDIT_SIGNING_KEY_FILE is used.
AUDIT_SIGNING_KEY_FILE   PEM file with the key; default KEYS_DIR/audit-checkpoint.pem, generated on
                         first use (development; never committed — var/ is ignored).
AUDIT_LOG_ORIGIN         The checkpoint origin line and key name; default "<SITE_URL host>/audit".
AUDIT_CHECKPOINT_INTERVAL  Seconds between periodic checkpoints (Celery beat); default 60.
"""

from urllib.parse import urlparse

from django.conf import settings

from gongkai.env import env_int, env_str


def signing_key_text():
    return env_str("AUDIT_SIGNING_KEY")


def signing_key_file():
    return env_str("AUDIT_SIGNING_KEY_FILE", str(settings.KEYS_DIR / "audit-checkpoint.pem"))


def origin():
    configured = env_str("AUDIT_LOG_ORIGIN")
    if configured:
        return configured
    host = urlparse(settings.SITE_URL).netloc or "gongkai.localhost"
    return f"{host}/audit"


def checkpoint_interval():
    return env_int("AUDIT_CHECKPOINT_INTERVAL", 60)
