"""Operations settings (environment; documented in README.md's operations section).

RECONCILE_SECONDS        how often beat runs the reconciler; default 60.
RECONCILE_GRACE_SECONDS  how long background work may take before the reconciler finishes it
                         itself; default 120 (a record renders in well under a second).
RECONCILE_ALARM_AFTER    failed repairs of one thing before the office and administrators are
                         alarmed (in-app notice and e-mail); default 5.
RECONCILE_BACKOFF_MAX    longest wait between two repair attempts, seconds; default 3600.
HEARTBEAT_SECONDS        how often beat sends the worker heartbeat; default 60.
AUDIT_VERIFY_EVERY_SECONDS  how long after the last verification of the whole audit log (by anyone)
                         the periodic job verifies it again; default 43200 (12 h: the health check
                         turns red after a day without one).
AUDIT_VERIFY_CHECK_SECONDS  how often beat asks whether that is due; default 3600.
DOCTOR_MIN_FREE_BYTES    free disk under GONGKAI_VAR_DIR below which the doctor complains;
                         default 1 GiB.
"""

from core.env import env_int


def reconcile_seconds():
    return env_int("RECONCILE_SECONDS", 60)


def grace_seconds():
    return env_int("RECONCILE_GRACE_SECONDS", 120)


def alarm_after():
    return env_int("RECONCILE_ALARM_AFTER", 5)


def backoff_max():
    return env_int("RECONCILE_BACKOFF_MAX", 3600)


def heartbeat_seconds():
    return env_int("HEARTBEAT_SECONDS", 60)


def min_free_bytes():
    return env_int("DOCTOR_MIN_FREE_BYTES", 1 << 30)


def verify_every_seconds():
    return env_int("AUDIT_VERIFY_EVERY_SECONDS", 43200)


def verify_check_seconds():
    return env_int("AUDIT_VERIFY_CHECK_SECONDS", 3600)
