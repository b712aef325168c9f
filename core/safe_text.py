"""Text made safe for the formats it ends up in, whatever was accepted upstream.

The input policy (core.inputs) refuses control characters at the boundary, but records, feeds and
downloads must not fail on text that got in another way (older rows, imports, the admin, a future
field): XML 1.0 — and so XMP metadata in PDFs and Atom feeds — cannot carry most C0 controls, lone
surrogates or U+FFFE/U+FFFF, and a file name must not carry controls, path separators or bidi
overrides that disguise its extension. A spreadsheet cell must not start like a formula."""

import csv
import re
import unicodedata

# Not allowed in XML 1.0 (C0 except tab/newline/return, lone surrogates, U+FFFE/U+FFFF), plus DEL
# and the C1 block, which XML allows but no reader shows sensibly.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NOT_IN_FILENAME = re.compile('[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff/\\\\"<>:|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]')


def for_xml(text):
    """`text` without the characters XML 1.0 (XMP, Atom) cannot carry."""
    return _NOT_XML.sub("", text or "")


def for_filename(name, *, default="file", max_length=150):
    """A file name for a download header: no controls, separators, quotes or bidi overrides."""
    cleaned = _NOT_IN_FILENAME.sub("", unicodedata.normalize("NFC", name or "")).strip(" .")
    if len(cleaned) > max_length:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = (stem[: max_length - len(extension) - 1] + dot + extension) if dot and len(extension) <= 10 else cleaned[:max_length]
    return cleaned or default


# A cell starting with one of these is run as a formula by Excel/WPS (=HYPERLINK(...) leaks data or
# lures the reader); the standard defence (OWASP "CSV injection") is a leading single quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def for_spreadsheet(value):
    """A cell value a spreadsheet program shows as text, never runs: text that starts like a
    formula gets a leading single quote; numbers and everything else are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class SpreadsheetCSV:
    """csv.writer for files people open in Excel/WPS: every CSV the product writes goes through
    this, so no cell (a name, a title, a comment) is run as a formula."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, values):
        self._writer.writerow([for_spreadsheet(value) for value in values])
