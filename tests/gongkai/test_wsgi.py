"""The web server's start-up: every view loaded before the first request, and what start-up
allocated kept out of the garbage collector's full collections (100 ms pauses every dozen requests
on a busy staff page otherwise; bench/RESULTS.md)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_server_starts_with_every_view_loaded_and_start_up_objects_frozen():
    probe = ("import gc, sys; import gongkai.wsgi; "
             "print(gc.get_freeze_count(), all(m in sys.modules for m in ('workflow.views', 'portal.views', 'audit.views')))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    frozen, views_loaded = result.stdout.split()
    assert int(frozen) > 50_000 and views_loaded == "True"
