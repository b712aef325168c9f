"""Imports run one way (pyproject.toml [tool.importlinter]): audit at the bottom, then policies,
workflow, records, portal/foi, reports; core below them all. A new upward import fails here."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_apps_import_only_downwards():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={"PATH": str(lint.parent), "PYTHONPATH": str(ROOT), "HOME": str(ROOT / "var")})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
