"""DRF renderers for endpoints that serve a file or text, so that content negotiation accepts the
very type they serve (Accept: application/pdf, text/plain or */*) instead of answering 406. An
error body (a dict) is still sent as JSON, with a JSON content type."""

import json

from rest_framework.renderers import BaseRenderer, JSONRenderer


class _PassThrough(BaseRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, bytes):
            return data
        if isinstance(data, str):
            return data.encode(self.charset or "utf-8")
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class PlainTextRenderer(_PassThrough):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"


class PDFRenderer(_PassThrough):
    media_type = "application/pdf"
    format = "pdf"
    charset = None


TEXT_RENDERERS = [PlainTextRenderer, JSONRenderer]
PDF_RENDERERS = [PDFRenderer, JSONRenderer]


class AnyFileRenderer(_PassThrough):
    """For downloads of stored files of any type (attachments): whatever the client accepts."""

    media_type = "*/*"
    format = "file"
    charset = None


FILE_RENDERERS = [JSONRenderer, AnyFileRenderer]
