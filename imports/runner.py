"""The office page's import as a background job whose progress the page shows: the uploaded files
are kept under GONGKAI_VAR_DIR/imports/<batch>/ until the job has run."""

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from core import locks
from imports import services
from imports.models import ImportBatch

log = logging.getLogger(__name__)


def batch_dir(batch_id):
    return Path(settings.VAR_DIR) / "imports" / str(batch_id)


def _update(batch_id, **fields):
    ImportBatch.objects.filter(pk=batch_id).update(**fields)


UNFINISHED = (ImportBatch.Status.PENDING, ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING)


def lock_name(batch_id):
    return f"import-{batch_id}"


def run_batch(batch_id):
    """Run the batch, or finish it when its job died halfway (the reconciler's "import"): the
    writes are idempotent by 外部编号, so what the dead job committed is not written twice. Does
    nothing when it is finished, or running in another process (a repeated job)."""
    with locks.held(lock_name(batch_id)) as mine:
        batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
        if not mine or batch.status not in UNFINISHED:
            return batch
        folder = batch_dir(batch.pk)
        if not (folder / "import.xlsx").exists():
            _update(batch.pk, status=ImportBatch.Status.FAILED, finished_at=timezone.now(),
                    errors=["导入中断，且上传的文件已不在：请重新上传。"])
            batch.refresh_from_db()
            return batch
        return _run(batch, folder)


def _run(batch, folder):
    workbook = folder / "import.xlsx"
    attachments = next((p for p in folder.glob("attachments*")), None)
    try:
        _update(batch.pk, status=ImportBatch.Status.CHECKING)
        plan = services.check(workbook, attachments=attachments, on_progress=lambda n: _update(batch.pk, rows_done=n),
                              workbook_name=batch.file_name, attachments_name=batch.attachments_name)
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


def abandoned(cutoff):
    """Batches whose job was lost (still waiting since before `cutoff`) or died halfway (checking or
    importing, and no process holds its lock): the reconciler runs them again."""
    waiting = ImportBatch.objects.filter(status=ImportBatch.Status.PENDING, created_at__lte=cutoff)
    started = ImportBatch.objects.filter(status__in=[ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING])
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    ids += [pk for pk in started.order_by("pk").values_list("pk", flat=True) if locks.is_free(lock_name(pk))]
    return ids
