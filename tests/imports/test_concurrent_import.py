"""Two offices' imports of the same file at the same moment (PostgreSQL): every item exists once,
and whichever import lost the race says so in one line; a re-run finishes with nothing left."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.imports.workbook import write, year_of_history
from workflow.models import DisclosureItem

ROOT = Path(__file__).resolve().parents[2]


def _env():
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = dict(os.environ, DATABASE_URL=f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    env.pop("CELERY_BROKER_URL", None)
    return env


@pytest.mark.postgres
def test_two_imports_of_one_file_at_once_leave_each_item_once(transactional_db, demo, tmp_path):
    items, posts, _expected = year_of_history(600)
    path = write(tmp_path / "history.xlsx", items, posts)
    command = [sys.executable, "manage.py", "import_history", str(path)]
    runs = [subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    for code, out, err in results:
        assert code == 0 or "another import of the same rows ran at the same time" in err, err
        assert "Traceback" not in err
    again = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, check=True).stdout
    assert "imported: 0 items, 0 channel posts; already imported (unchanged): 600 items, " in again
    assert DisclosureItem.objects.count() == 600
    assert DisclosureItem.objects.values("external_ref").distinct().count() == 600
