"""Checking what users put into an item: sanitised HTML bodies and typed, size-limited uploads."""

import hashlib
import re

import nh3
from django.conf import settings
from django.utils.translation import gettext as _

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "blockquote", "pre", "code", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
    "tr", "th", "td", "caption", "colgroup", "col", "a", "img", "span", "div", "figure", "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
}
# Markup that is not merely formatting: refused with an error rather than silently dropped, so the
# author knows the published text is not what they pasted.
_DANGEROUS = [
    (re.compile(r"<\s*script\b", re.I), "<script>"),
    (re.compile(r"<\s*(iframe|object|embed|applet|frame|frameset)\b", re.I), "<iframe>/<object>/<embed>"),
    (re.compile(r"<\s*(style|link|meta|base|form|input|button|textarea|select)\b", re.I), "<style>/<form>/<meta>"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "on…= event handlers"),
    (re.compile(r"(javascript|vbscript|data\s*:\s*text/html)\s*:", re.I), "javascript: links"),
    (re.compile(r"javascript\s*:", re.I), "javascript: links"),
]


class ContentError(ValueError):
    pass


def clean_body(html):
    """Sanitised HTML for an item body; raises ContentError for scripts and active content."""
    html = html or ""
    for pattern, label in _DANGEROUS:
        if pattern.search(html):
            raise ContentError(_("The body contains active content that is not allowed: %(what)s.") % {"what": label})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_own_images_only,
    ).strip()


# Images only from this site's own attachment addresses: an external image in a public page is a
# tracking pixel (and the pages' CSP would block it anyway).
_OWN_IMAGE = re.compile(r"^/(?:items|api/disclosures)/\d+/attachments/\d+/$")


def display_html(html):
    """A stored body made safe to show (bodies stored before a rule changed are shown by today's
    rules): default sanitising, and images only from our own attachments."""
    return nh3.clean(html or "", attribute_filter=_own_images_only)


def _own_images_only(element, attribute, value):
    if element == "img" and attribute == "src" and not _OWN_IMAGE.match(value):
        return None
    return value


# Types recognised from the first bytes of the file, with the extensions they may carry.
_OOXML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", b"word/"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", b"xl/"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx", b"ppt/"),
}
EXTENSIONS = {
    "application/pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/gif": {"gif"},
    "application/msword": {"doc", "xls", "ppt", "wps", "et"},  # OLE2 compound file: old Office/WPS
    "application/zip": {"zip"},
    "text/plain": {"txt", "csv"},
    **{mime: {ext} for mime, (ext, _) in _OOXML.items()},
    "application/ofd": {"ofd"},
}


def sniff(head):
    """The MIME type of a file from its first bytes, or None if it is not an accepted type."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    if head.startswith(b"PK\x03\x04"):
        for mime, (_, marker) in _OOXML.items():
            if marker in head:
                return mime
        if b"OFD.xml" in head:
            return "application/ofd"
        return "application/zip"
    # Plain text (UTF-8, no control bytes other than whitespace), but never markup a browser runs.
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # a multi-byte character cut at the end of the sample is fine
            return None
        text = head[: error.start].decode("utf-8")
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return None
    if re.search(r"<\s*(html|script|svg|!doctype|body|iframe)", text, re.I):
        return None
    return "text/plain"


def check_upload(uploaded):
    """Read an uploaded file (Django UploadedFile): returns (content_type, size, sha256) or raises
    ContentError with a message for the user."""
    limit = settings.UPLOAD_MAX_BYTES
    size = uploaded.size
    if size is None or size > limit:
        raise ContentError(
            _("The file is too large (%(size)s bytes; at most %(limit)s).") % {"size": size, "limit": limit}
        )
    if size == 0:
        raise ContentError(_("The file is empty."))
    uploaded.seek(0)
    head = uploaded.read(8192)
    mime = sniff(head)
    if mime is None:
        raise ContentError(_("This kind of file is not accepted (PDF, Office/WPS documents, images and plain text are)."))
    name = uploaded.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[mime]:
        raise ContentError(
            _("The file name says .%(ext)s but its content is %(type)s.") % {"ext": extension or "?", "type": mime}
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return mime, size, digest.hexdigest()
