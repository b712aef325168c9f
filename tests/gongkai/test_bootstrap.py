"""bin/bootstrap without root or sudo: one line naming what is missing, and a stop."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bootstrap_as_non_root(*packages):
    script = (
        'source bin/bootstrap; id() { echo 1000; }; sudo() { return 1; }; '
        f'bootstrap_system {" ".join(packages)}; echo "continued"'
    )
    return subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True)


def test_missing_packages_are_named_in_one_line_and_nothing_else_runs():
    result = _bootstrap_as_non_root("gongkai-no-such-package", "coreutils")
    assert result.returncode == 1
    assert "continued" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "gongkai-no-such-package" in lines[0] and "sudo apt-get install -y" in lines[0]
    assert "coreutils" not in lines[0]  # installed packages are not asked for


def test_nothing_missing_means_nothing_to_do():
    result = _bootstrap_as_non_root("coreutils", "bash")
    assert result.returncode == 0 and result.stdout.strip() == "continued" and result.stderr == ""
