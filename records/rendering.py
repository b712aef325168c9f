"""HTML → PDF/A-3b with WeasyPrint: the official layout of a record.

`RecordContent` is everything printed on a record; `render_pdf` turns it into PDF bytes (unsigned)
with the proof bundle embedded as a JSON attachment. Item HTML is sanitised here, and the renderer
reaches nothing but what `SafeURLFetcher` allows."""


import functools
import io
import json
from dataclasses import dataclass, field

import nh3
import qrcode
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML, Attachment

from core.safe_text import for_xml
from records.fetcher import SafeURLFetcher

PROOF_ATTACHMENT_NAME = "gongkai-record.json"

# What an item body may contain once it reaches the renderer (no scripts, styles, frames, forms).
BODY_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li",
    "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
}
BODY_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}


def sanitise_body(html):
    """Item HTML as the record may show it."""
    return nh3.clean(
        html or "",
        tags=BODY_TAGS,
        attributes=BODY_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@functools.lru_cache(maxsize=16)
def qr_png(text):
    """The QR code as a PNG of one pixel per module, drawn unsmoothed (image-rendering: pixelated).
    A PNG, not SVG: WeasyPrint parses an SVG QR code's path far slower than it embeds an image."""
    buffer = io.BytesIO()
    qrcode.make(text, box_size=1, border=2).save(buffer, format="PNG")
    return buffer.getvalue()


def qr_url():
    return settings.SITE_URL.rstrip("/") + "/verify/qr.png"


@dataclass
class RecordContent:
    """Everything a record shows. Strings are plain text unless named *_html."""

    kind: str  # publication | refusal | withdrawal
    kind_label: str  # 信息公开记录 …
    title: str
    record_no: str
    issued_at: str
    metadata: list = field(default_factory=list)  # [(label, value)]
    body_html: str = ""  # sanitised before rendering
    approvals: list = field(default_factory=list)  # [{"step", "role", "department", "person", "time", "decision", "comment"}]
    show_people: bool = True  # reviewers' names and internal comments (off for published records by default)
    decision: list = field(default_factory=list)  # [(label, value)]: ground, comment, channels …
    audit: dict = field(default_factory=dict)  # {"events": [seq…], "size", "root", "origin"}
    proof: dict = field(default_factory=dict)  # the JSON bundle embedded in the PDF
    attachments: dict = field(default_factory=dict)  # url -> (bytes or Path, media type)
    verify_url: str = ""


def render_html(content):
    verify_url = content.verify_url or settings.SITE_URL + "/verify/"
    return render_to_string(
        "records/record.html",
        {
            "school_name": settings.SCHOOL_NAME,
            "static_base": settings.SITE_URL.rstrip("/") + "/" + settings.STATIC_URL.lstrip("/"),
            "c": content,
            "body": mark_safe(sanitise_body(content.body_html)),
            "verify_url": verify_url,
            "qr_url": qr_url(),
        },
    )


def html_to_pdf(html, *, attachments=None, files=()):
    """Bare WeasyPrint with the safe fetcher: returns (pdf bytes, fetcher).
    `files` are (name, bytes, description) embedded as PDF/A-3 associated files."""
    fetcher = SafeURLFetcher(attachments)
    embedded = [
        Attachment(
            string=data,
            name=name,
            description=description,
            relationship="Data",
            url_fetcher=fetcher,
        )
        for name, data, description in files
    ]
    document = HTML(string=html, base_url=settings.SITE_URL.rstrip("/") + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_variant="pdf/a-3b", attachments=embedded or None, uncompressed_pdf=False)
    return pdf, fetcher


def proof_bytes(proof):
    return json.dumps(proof, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def resources(content):
    """Everything the renderer may fetch for this record: the item's own files and the QR code."""
    verify_url = content.verify_url or settings.SITE_URL + "/verify/"
    return {**content.attachments, qr_url(): (qr_png(verify_url), "image/png")}


def render_pdf(content):
    """The unsigned PDF/A-3b of a record, with its proof bundle attached. Characters XML cannot
    carry are dropped from the page first: the title becomes XMP metadata, which pyHanko parses."""
    html = for_xml(render_html(content))
    pdf, fetcher = html_to_pdf(
        html,
        attachments=resources(content),
        files=[(PROOF_ATTACHMENT_NAME, proof_bytes(content.proof), "审计证明 audit proofs")],
    )
    return pdf, fetcher



