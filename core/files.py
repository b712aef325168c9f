"""Writing a file so that a reader (or a crash) sees the old content or the new, never half of it."""

import os
import tempfile
from pathlib import Path

from django.http import FileResponse

from core.safe_text import for_filename


def atomic_write(path, data, *, mode=0o644):
    """Write `data` (bytes or str) to `path`: a temporary file beside it, flushed to disk, then
    renamed over it. `mode` 0o600 for keys. Returns the Path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def download(stream, *, filename, content_type):
    """A file sent as a download that no browser renders or sniffs, whatever its type says
    (attachments, letters): the name made safe for the header, nosniff, and a sandbox CSP."""
    response = FileResponse(stream, as_attachment=True, filename=for_filename(filename), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
