import pytest


@pytest.fixture(autouse=True)
def export_dir(tmp_path, monkeypatch):
    """Export bundles of this test, in its own folder (a worker started afterwards inherits it)."""
    path = tmp_path / "audit-exports"
    monkeypatch.setenv("AUDIT_EXPORT_DIR", str(path))
    return path
