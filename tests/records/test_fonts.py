"""CJK Extension B+ characters (they occur in personal and place names) print with a real glyph and
extract as themselves; the fallback font is embedded, subset, only in a record that needs it."""

import subprocess

from records.checks import ext_b_fonts_available
from records.rendering import render_pdf
from tests.records.conftest import sample_content

RARE = "𠀀𪚥"  # U+20000 (Ext-B, first), U+2A6A5 (Ext-B)


def _pdf(tmp_path, content):
    pdf = render_pdf(content)
    pdf = pdf[0] if isinstance(pdf, tuple) else pdf
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return fonts, text


def test_an_ext_b_font_is_installed():
    assert ext_b_fonts_available(), "fonts-hanazono (bin/bootstrap) provides CJK Extension B"


def test_rare_characters_in_names_extract_as_themselves(tmp_path):
    fonts, text = _pdf(tmp_path, sample_content(title=f"关于张{RARE[0]}同学的公示",
                                                body=f"<p>姓名：张{RARE[0]}；籍贯：{RARE[1]}村。</p>"))
    assert RARE[0] in text and RARE[1] in text
    assert f"张{RARE[0]}" in text.replace("\n", "")
    assert "\ufffd" not in text
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert len(rows) == 2, fonts  # Noto CJK and the fallback, both subset ("yes" under sub)
    assert all(" yes yes yes " in row for row in rows), fonts


def test_a_common_record_embeds_only_noto(tmp_path):
    fonts, _ = _pdf(tmp_path, sample_content())
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert len(rows) == 1 and "Noto" in rows[0], fonts
