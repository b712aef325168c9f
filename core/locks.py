"""Locks that end with the process holding them (operations: one reconciler at a time; imports: one
job per batch).

A killed process never leaves its lock behind, so a free lock on work marked as running means that
its job died. On PostgreSQL a session advisory lock on a connection of its own (it outlives the
work's connections and transactions); on SQLite (one machine) flock on a file under VAR_DIR/locks."""

import fcntl
import hashlib
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections


def _key(name):
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def held(name):
    """Try to take the lock `name` without waiting: yields True if this process holds it now."""
    if connection.vendor == "postgresql":
        holder = connections.create_connection("default")
        try:
            with holder.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
                got = cursor.fetchone()[0]
            yield got
        finally:
            holder.close()  # a session lock ends with its session
        return
    folder = settings.VAR_DIR / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_free(name):
    """Whether nobody holds the lock `name` (taken and let go at once)."""
    with held(name) as got:
        return got
