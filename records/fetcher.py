"""The only way the PDF renderer reaches anything outside the HTML it is given.

It serves the project's own static files (under SITE_URL + STATIC_URL) and the exact attachment URLs
the caller hands it (the item's own files), nothing else: no file://, no network, no other item's
files. Images above a size or pixel limit are refused too, so a hostile upload cannot stall a worker.
"""

import io
import logging
import mimetypes
import posixpath
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

MAX_RESOURCE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 6000 * 6000


class Refused(ValueError):
    """A URL the renderer may not fetch (WeasyPrint skips the resource and goes on)."""


def _check_image(data, url):
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
    except Image.DecompressionBombError:
        raise Refused(f"image too large: {url}") from None
    except (UnidentifiedImageError, OSError):
        return  # not a raster image (CSS, SVG, fonts): the byte limit applies
    if width * height > MAX_IMAGE_PIXELS:
        raise Refused(f"image too large ({width}×{height} px): {url}")


class SafeURLFetcher(URLFetcher):
    def __init__(self, attachments=None):
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)
        # url -> (bytes or Path, media type)
        self.attachments = dict(attachments or {})
        self.served = []
        self.refused = []
        self.static_prefix = urlsplit(settings.SITE_URL.rstrip("/") + "/" + settings.STATIC_URL.lstrip("/"))

    def _static_path(self, url):
        parts = urlsplit(url)
        prefix = self.static_prefix
        if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc) or parts.query:
            return None
        if not parts.path.startswith(prefix.path):
            return None
        relative = unquote(parts.path[len(prefix.path):])
        normalised = posixpath.normpath(relative)
        if not relative or normalised != relative or normalised.startswith(("/", "..")) or "\\" in relative:
            return None
        found = finders.find(normalised)
        if not found and settings.STATIC_ROOT:
            candidate = Path(settings.STATIC_ROOT) / normalised
            found = str(candidate) if candidate.is_file() else None
        return Path(found) if found else None

    def _read(self, source, url):
        if isinstance(source, Path):
            if source.stat().st_size > MAX_RESOURCE_BYTES:
                raise Refused(f"resource too large: {url}")
            data = source.read_bytes()
        else:
            data = bytes(source)
        if len(data) > MAX_RESOURCE_BYTES:
            raise Refused(f"resource too large: {url}")
        _check_image(data, url)
        return data

    def fetch(self, url, headers=None):
        try:
            if url in self.attachments:
                source, media_type = self.attachments[url]
                data = self._read(source, url)
            else:
                path = self._static_path(url)
                if path is None:
                    raise Refused(f"not an allowed resource: {url[:200]}")
                data = self._read(path, url)
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        except Refused as refusal:
            self.refused.append(url)
            log.debug("record renderer refused %s", refusal)  # WeasyPrint warns as well
            raise
        self.served.append(url)
        return URLFetcherResponse(url, body=data, headers={"Content-Type": media_type})
