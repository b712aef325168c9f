"""The office's history import page: upload the template (and a .zip of the files it names), watch
the progress, read the errors (each naming sheet, row and column) or the counts."""

import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from core import jobs
from imports import runner, services
from imports.models import ImportBatch

MAX_WORKBOOK_BYTES = 50 * 1024 * 1024
MAX_ZIP_BYTES = 1024 * 1024 * 1024


class ImportForm(forms.Form):
    workbook = forms.FileField(label=_("Workbook (.xlsx, sheets 事项 and 发布记录)"))
    attachments = forms.FileField(label=_("Attachments (.zip of the files named in the 附件 column)"), required=False)
    dry_run = forms.BooleanField(label=_("Trial run: check only, import nothing"), required=False)

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if upload.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(_("The workbook is larger than 50 MB."))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload the template as an .xlsx file."))
        return upload

    def clean_attachments(self):
        upload = self.cleaned_data.get("attachments")
        if upload and (upload.size > MAX_ZIP_BYTES or not upload.name.lower().endswith(".zip")):
            raise forms.ValidationError(_("Upload the attachments as one .zip file (at most 1 GB)."))
        return upload


def _require_office(user):
    if not services.may_import(user):
        raise PermissionDenied


def _save(upload, path):
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest()


@login_required
def start(request):
    _require_office(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                created_by=request.user, file_name=data["workbook"].name[:255], file_sha256="",
                attachments_name=(data["attachments"].name[:255] if data["attachments"] else ""), dry_run=data["dry_run"],
            )
            folder = runner.batch_dir(batch.pk)
            folder.mkdir(parents=True, exist_ok=True)
            batch.file_sha256 = _save(data["workbook"], folder / "import.xlsx")
            if data["attachments"]:
                _save(data["attachments"], folder / "attachments.zip")
            batch.save(update_fields=["file_sha256"])
            from imports.tasks import run_import

            transaction.on_commit(lambda: jobs.start(run_import, batch.pk))
        return redirect("imports:batch", pk=batch.pk)
    batches = ImportBatch.objects.select_related("created_by")[:20]
    return render(request, "imports/start.html", {"form": form, "batches": batches}, status=400 if form.errors else 200)


@login_required
def batch(request, pk):
    _require_office(request.user)
    found = ImportBatch.objects.select_related("created_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    return render(request, "imports/batch.html", {"batch": found})


@login_required
def template(request):
    _require_office(request.user)
    response = HttpResponse(
        services.template_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="history-import-template.xlsx"'
    return response
