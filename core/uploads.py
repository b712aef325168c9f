"""Uploads kept across a form's validation errors, so nobody has to choose a file again.

A form that fails keeps each good file here (under MEDIA_ROOT/held/, outside the web root) and
renders a signed token for it ("已上传：文件名"); the next submission hands the tokens back and gets
the files again. A token names its owner (a user, or an anonymous visitor's session: `visitor()`)
and expires after a day: it cannot fetch another owner's file nor any path of its choosing. Held files are deleted once used, and any older than a day
whenever a file is held."""

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files import File

MAX_AGE = 24 * 3600
_SALT = "gongkai.held-upload"
_SESSION_KEY = "held_uploads_owner"


def visitor(request):
    """The owner of an anonymous visitor's held uploads: a random key kept in their session (created
    if needed; it survives the session key's rotation). Never the session key itself, which the
    token would reveal in the page."""
    key = request.session.get(_SESSION_KEY)
    if not key:
        key = request.session[_SESSION_KEY] = secrets.token_hex(16)
    return key


def _owner(who):
    """What a token records of its owner: a user's pk, or "s:" + a visitor's key."""
    return f"s:{who}" if isinstance(who, str) else who.pk


def _folder():
    return Path(settings.MEDIA_ROOT) / "held"


def _sweep(folder):
    """Delete held files nobody came back for."""
    cutoff = time.time() - MAX_AGE
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def hold(uploaded, user):
    """Keep an uploaded file for `user` (or a visitor's key); returns its token."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    key = secrets.token_hex(16)
    with open(folder / key, "wb") as out:
        uploaded.seek(0)
        for chunk in uploaded.chunks():
            out.write(chunk)
    uploaded.seek(0)
    return signing.dumps({"k": key, "n": uploaded.name or "file", "u": _owner(user)}, salt=_SALT)


class HeldFile:
    """A held upload: its token, its original name, and open() → a Django File by that name."""

    def __init__(self, token, key, name):
        self.token, self.key, self.name = token, key, name

    @property
    def path(self):
        return _folder() / self.key

    def open(self):
        file = File(open(self.path, "rb"), name=self.name)
        return file

    def discard(self):
        self.path.unlink(missing_ok=True)


def held(tokens, user):
    """The files behind `tokens` that are this user's (or visitor's), unexpired and still there (others are
    silently dropped: a stale page simply shows fewer kept files)."""
    found = []
    for token in dict.fromkeys(tokens):
        try:
            data = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            continue
        if data.get("u") != _owner(user) or not str(data.get("k", "")).isalnum():
            continue
        file = HeldFile(token, data["k"], str(data.get("n") or "file"))
        if file.path.is_file():
            found.append(file)
    return found
