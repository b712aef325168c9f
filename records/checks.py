"""System check: records need HarfBuzz subsetting and a CJK font.

Without libharfbuzz-subset WeasyPrint falls back to fontTools and a one-page Chinese record takes
about 6 s instead of about 0.15 s; without a CJK font the record is unreadable. Both are errors."""

import ctypes.util
import shutil
import subprocess

from django.core.checks import Error, Warning, register

CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def harfbuzz_subset_available():
    return ctypes.util.find_library("harfbuzz-subset") is not None


def cjk_fonts_available():
    """The CJK families fontconfig can find (the ones WeasyPrint will use)."""
    if not shutil.which("fc-list"):
        return []
    try:
        output = subprocess.run(
            ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = {name.strip() for line in output.splitlines() for name in line.split(",")}
    return [family for family in CJK_FAMILIES if family in found]


def ext_b_fonts_available():
    """Families with CJK Extension B (U+20000, as in 𠀀; names of people and places use them): the
    fallback Pango takes for a character Noto CJK lacks. Only a record that uses one embeds it."""
    if not shutil.which("fc-list"):
        return []
    try:
        output = subprocess.run(
            ["fc-list", ":charset=20000 2a6a5", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].strip() for line in output.splitlines() if line.strip()})


@register("records")
def check_pdf_dependencies(app_configs=None, **kwargs):
    errors = []
    if not harfbuzz_subset_available():
        errors.append(
            Error(
                "HarfBuzz subsetting (libharfbuzz-subset0) is not installed: records would take seconds per page.",
                hint="sudo apt-get install libharfbuzz-subset0 (./bin/serve installs it)",
                id="records.E001",
            )
        )
    if not cjk_fonts_available():
        errors.append(
            Error(
                "No Noto CJK SC font found by fontconfig: records could not show Chinese text.",
                hint="sudo apt-get install fonts-noto-cjk (./bin/serve installs it)",
                id="records.E002",
            )
        )
    if not ext_b_fonts_available():
        errors.append(
            Warning(
                "No font with CJK Extension B found: rare characters in names (𠀀, 𪚥) would print as boxes.",
                hint="sudo apt-get install fonts-hanazono (./bin/serve installs it)",
                id="records.W003",
            )
        )
    return errors
