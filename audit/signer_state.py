"""The last checkpoint this installation signed, kept outside the database (AUDIT_SIGNER_STATE_FILE).

The signer is its own first witness: before signing a new root it demands a consistency proof from
this checkpoint (audit.services.checkpoint). A database superuser who rewrites the log and deletes
the stored checkpoints therefore cannot get the rewrite signed: the file is not in the database.

The file holds one signed note. It only ever moves forward (a larger tree), is replaced atomically,
and is written after the signing transaction commits, so a rolled-back checkpoint never lands here."""

import fcntl
from contextlib import contextmanager

from audit import conf
from core.files import atomic_write


def read():
    """The kept signed note, or "" if none has been kept yet."""
    path = conf.signer_state_file()
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


@contextmanager
def _locked(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def keep(note_text, size, size_of):
    """Keep `note_text` (a checkpoint of `size` events) unless the kept one is as large already.
    `size_of(text)` reads the size of the kept note (None if it cannot be read)."""
    path = conf.signer_state_file()
    with _locked(path):
        current = read()
        if current:
            current_size = size_of(current)
            if current_size is not None and current_size >= size:
                return False
        atomic_write(path, note_text)
        return True
