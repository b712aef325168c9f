"""Audit settings, read from the environment (documented defaults; see audit/README.md).

AUDIT_SIGNING_KEY        Ed25519 private key for checkpoints: PEM (PKCS#8) or base64 of the 32-byte
                         seed. Default: unset, then AUDIT_SIGNING_KEY_FILE is used.
AUDIT_SIGNING_KEY_FILE   PEM file with the key; default KEYS_DIR/audit-checkpoint.pem, generated on
                         first use (development; never committed — var/ is ignored).
AUDIT_LOG_ORIGIN         The checkpoint origin line and key name; default "<SITE_URL host>/audit".
AUDIT_CHECKPOINT_INTERVAL  Seconds between periodic checkpoints (Celery beat); default 60.
AUDIT_SIGNER_STATE_FILE  The last checkpoint this installation signed, kept outside the database;
                         default VAR_DIR/audit-signer/<database>.txt. A new root is signed only with a
                         valid consistency proof from it (audit/README.md, threat model).
AUDIT_KEY_HISTORY_FILE   Verifier keys of retired signing keys, one a line (audit_rotate_key appends);
                         default KEYS_DIR/audit-key-history.txt.
AUDIT_KEY_HISTORY        More retired verifier keys, comma-separated (for keys given by environment).
AUDIT_KEY_ROTATIONS_FILE Each rotation's statement "old key → new key", signed by both keys (JSON
                         Lines; audit_rotate_key appends): how a witness or an offline verifier
                         trusts a new key through the old one. Default KEYS_DIR/audit-key-rotations.jsonl.
AUDIT_EXPORT_DIR         Where export bundles are built and kept for a week (web and worker must share
                         it); default VAR_DIR/audit-exports/<database>.
"""

import re
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings

from core.env import env_int, env_list, env_str


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


def signer_state_file():
    configured = env_str("AUDIT_SIGNER_STATE_FILE")
    if configured:
        return Path(configured)
    # One file per database, so a second database (a benchmark's, a test run's) never meets the
    # checkpoint of another.
    return settings.VAR_DIR / "audit-signer" / f"{_database_slug()}.txt"


def export_dir():
    configured = env_str("AUDIT_EXPORT_DIR")
    return Path(configured) if configured else settings.VAR_DIR / "audit-exports" / _database_slug()


def _database_slug():
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}"
    return re.sub(r"[^A-Za-z0-9]+", "-", where).strip("-")[-80:] or "default"


def key_history_file():
    return Path(env_str("AUDIT_KEY_HISTORY_FILE", str(settings.KEYS_DIR / "audit-key-history.txt")))


def key_history_extra():
    return env_list("AUDIT_KEY_HISTORY", [])


def key_rotations_file():
    return Path(env_str("AUDIT_KEY_ROTATIONS_FILE", str(settings.KEYS_DIR / "audit-key-rotations.jsonl")))
