"""A rendered and signed record, checked with the tools a reader would use: poppler and pyHanko."""

import io
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from records.rendering import render_pdf
from records.signing import outside_event_loop, sign_pdf, validation_context
from tests.records.conftest import APPROVERS, TITLE, sample_content


@pytest.fixture(scope="module")
def signed_pdf(tmp_path_factory):
    unsigned, fetcher = render_pdf(sample_content())
    signed, fingerprint = sign_pdf(unsigned, reason="信息公开记录")
    path = tmp_path_factory.mktemp("record") / "record.pdf"
    path.write_bytes(signed)
    return path, fetcher, fingerprint


def _run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def test_pdfsig_reports_a_valid_signature_over_the_whole_document(signed_pdf):
    output = _run("pdfsig", str(signed_pdf[0])).stdout
    assert "Signature is Valid" in output
    assert "Total document signed" in output
    assert "ETSI.CAdES.detached" in output  # PAdES


def test_pdffonts_shows_embedded_subset_cjk_fonts(signed_pdf):
    lines = _run("pdffonts", str(signed_pdf[0])).stdout.splitlines()[2:]
    cjk = [line for line in lines if "CJK-SC" in line]
    assert cjk, lines
    for line in cjk:
        name, *_rest = line.split()
        assert "+" in name  # a subset (ABCDEF+Name)
        assert " yes yes yes " in line  # embedded, subset, unicode map


def test_pdftotext_finds_the_chinese_title_and_every_approver(signed_pdf):
    text = _run("pdftotext", "-enc", "UTF-8", str(signed_pdf[0]), "-").stdout
    assert TITLE in text
    for person in APPROVERS:
        assert person in text
    assert "示范职业技术学院" in text or "审批记录" in text


def test_pdf_is_pdfa_3b_with_the_proof_attachment(signed_pdf):
    xmp = _run("pdfinfo", "-meta", str(signed_pdf[0])).stdout
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert TITLE in xmp
    listing = _run("pdfdetach", "-list", str(signed_pdf[0])).stdout
    assert "gongkai-record.json" in listing


def test_pyhanko_validates_against_the_development_trust_root(signed_pdf):
    path, _fetcher, fingerprint = signed_pdf
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    (signature,) = reader.embedded_signatures
    status = outside_event_loop(validate_pdf_signature, signature, validation_context())
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line
    assert len(fingerprint) == 64


def test_the_renderer_fetched_only_its_stylesheet_and_qr_code(signed_pdf):
    _path, fetcher, _fp = signed_pdf
    assert sorted(fetcher.served) == ["http://127.0.0.1:8000/static/records/record.css", "http://127.0.0.1:8000/verify/qr.png"]
    assert fetcher.refused == []


def test_the_qr_code_leads_to_the_verify_page(signed_pdf, tmp_path):
    from PIL import Image

    subprocess.run(["pdfimages", "-png", str(signed_pdf[0]), str(tmp_path / "img")], check=True, timeout=60)
    (image_path,) = list(tmp_path.glob("img-*.png"))
    modules = Image.open(image_path).convert("1")
    assert modules.size[0] == modules.size[1] >= 21  # a QR code: square, at least version 1
    from records.rendering import qr_png

    expected = Image.open(io.BytesIO(qr_png("http://127.0.0.1:8000/verify/"))).convert("1")
    assert modules.tobytes() == expected.tobytes()


def test_a_five_page_record_renders(tmp_path):
    unsigned, _fetcher = render_pdf(sample_content(pages=5))
    path = tmp_path / "long.pdf"
    path.write_bytes(sign_pdf(unsigned, reason="test")[0])
    info = _run("pdfinfo", str(path)).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 4
