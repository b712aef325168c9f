"""The office page's import as a background job whose progress the page shows: the uploaded files
are kept under GONGKAI_VAR_DIR/imports/<batch>/ until the job has run."""

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from imports import services
from imports.models import ImportBatch

log = logging.getLogger(__name__)


def batch_dir(batch_id):
    return Path(settings.VAR_DIR) / "imports" / str(batch_id)


def _update(batch_id, **fields):
    ImportBatch.objects.filter(pk=batch_id).update(**fields)


def run_batch(batch_id):
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.PENDING:
        return batch  # already run (a repeated job)
    folder = batch_dir(batch.pk)
    workbook = folder / "import.xlsx"
    attachments = next((p for p in folder.glob("attachments*")), None)
    try:
        _update(batch.pk, status=ImportBatch.Status.CHECKING)
        plan = services.check(workbook, attachments=attachments, on_progress=lambda n: _update(batch.pk, rows_done=n))
        if plan.errors:
            _update(batch.pk, status=ImportBatch.Status.INVALID, errors=plan.errors, counts=plan.counts,
                    finished_at=timezone.now())
        elif batch.dry_run:
            _update(batch.pk, status=ImportBatch.Status.CHECKED, counts=plan.counts, finished_at=timezone.now())
        else:
            _update(batch.pk, status=ImportBatch.Status.IMPORTING, rows_total=len(plan.items), rows_done=0, counts=plan.counts)
            services.write(plan, actor=batch.created_by, attachments=attachments, via="web",
                           on_progress=lambda n: _update(batch.pk, rows_done=n))
            _update(batch.pk, status=ImportBatch.Status.DONE, rows_done=len(plan.items), finished_at=timezone.now())
    except services.ImportFileError as error:
        _update(batch.pk, status=ImportBatch.Status.INVALID, errors=[str(error)], finished_at=timezone.now())
    except Exception as error:  # recorded for the office; the log has the traceback
        log.exception("history import %s failed", batch.pk)
        _update(batch.pk, status=ImportBatch.Status.FAILED, errors=[f"导入失败：{error}"], finished_at=timezone.now())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    batch.refresh_from_db()
    return batch
