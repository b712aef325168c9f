"""Hostile item bodies and attachments: nothing is fetched, nothing executed, the record renders."""

import io
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from PIL import Image

from records.rendering import html_to_pdf, render_pdf, sanitise_body
from tests.records.conftest import TITLE, sample_content


@pytest.fixture
def trap_server():
    """A local HTTP server that counts every request it gets (there must be none)."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body{color:red}")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def _png(width, height):
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _text(pdf, tmp_path):
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True).stdout


def hostile_body(server):
    return f"""
    <p>正文开始</p>
    <img src="file:///etc/passwd">
    <img src="{server}/tracker.png">
    <img src="http://169.254.169.254/latest/meta-data/">
    <link rel="stylesheet" href="{server}/evil.css">
    <style>@import url("{server}/import.css"); body {{ background: url("{server}/bg.png") }}</style>
    <p style="background: url('{server}/inline.png')">带样式的段落</p>
    <script>document.write("脚本执行了")</script>
    <iframe src="{server}/frame"></iframe>
    <object data="file:///etc/passwd"></object>
    <img src="/static/../../../../etc/passwd">
    <img src="http://127.0.0.1:8000/api/disclosures/999/attachments/1/">
    <p>正文结束</p>
    """


def test_sanitiser_strips_scripts_styles_frames_and_file_urls(trap_server):
    server, _hits = trap_server
    cleaned = sanitise_body(hostile_body(server))
    for bad in ("<script", "<style", "<iframe", "<object", "<link", "file:", "style=", "脚本执行了"):
        assert bad not in cleaned
    assert "正文开始" in cleaned and "正文结束" in cleaned


def test_a_hostile_body_fetches_nothing_and_still_renders(trap_server, tmp_path):
    server, hits = trap_server
    pdf, fetcher = render_pdf(sample_content(body=hostile_body(server)))
    assert hits == []
    assert not any(url.startswith(("file:", server, "http://169.254")) for url in fetcher.served)
    text = _text(pdf, tmp_path)
    assert TITLE in text and "正文开始" in text and "正文结束" in text
    assert "root:x:0:0" not in text and "脚本执行了" not in text


def test_the_fetcher_alone_refuses_everything_unsafe(trap_server, tmp_path):
    """Even unsanitised HTML (the second line of defence) reaches neither files nor the network."""
    server, hits = trap_server
    html = "<html><body><h1>原始HTML</h1>" + hostile_body(server) + "</body></html>"
    pdf, fetcher = html_to_pdf(html)
    assert hits == []
    assert fetcher.served == []
    assert any(url.startswith("file:") for url in fetcher.refused)
    assert any(url.startswith(server) for url in fetcher.refused)
    text = _text(pdf, tmp_path)
    assert "原始HTML" in text and "root:x:0:0" not in text and "脚本执行了" not in text


def test_own_attachments_are_served_but_huge_images_are_refused(tmp_path):
    base = "http://127.0.0.1:8000/api/disclosures/42/attachments/"
    small, huge = _png(200, 100), _png(12000, 12000)
    assert len(huge) < 2 * 1024 * 1024  # small on disk, a decompression bomb in memory
    body = f'<p>附件图片</p><img src="{base}1/"><img src="{base}2/"><img src="{base}3/">'
    content = sample_content(body=body, attachments={f"{base}1/": (small, "image/png"), f"{base}2/": (huge, "image/png")})
    pdf, fetcher = render_pdf(content)
    assert f"{base}1/" in fetcher.served
    assert f"{base}2/" in fetcher.refused  # too many pixels
    assert f"{base}3/" in fetcher.refused  # not one of this item's files
    assert "附件图片" in _text(pdf, tmp_path)
