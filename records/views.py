"""The public verify page and the record download."""

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes, renderer_classes
from rest_framework.permissions import AllowAny

from core.renderers import PDF_RENDERERS
from records import access
from records.services import KIND_LABELS
from records.verification import verify_pdf


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Record PDF"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.RECORDS_VERIFY_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)d MB); records are much smaller."),
                params={"mb": settings.RECORDS_VERIFY_MAX_BYTES // (1024 * 1024)},
            )
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("This is not a PDF file. Upload the record PDF you received or downloaded."))
        return upload


@require_http_methods(["GET", "POST"])
def verify(request):
    """Anyone may upload a PDF and see whether it is an authentic, unmodified record."""
    verdict = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            verdict = verify_pdf(form.cleaned_data["file"].read())
    else:
        form = VerifyForm()
    status = 200 if request.method == "GET" or (verdict is not None) else 400
    context = {"form": form, "verdict": verdict, "public_section": "verify"}
    if verdict is not None:
        context["signer_display"] = _signer_display(verdict.signer)
        if verdict.record:
            context["record_kind"] = KIND_LABELS.get(verdict.record.get("kind"), "")
    return render(request, "records/verify.html", context, status=status)


def _signer_display(subject):
    """'Common Name: X, Organization: Y' (the certificate's words) → 'X · Y': names, no English labels."""
    values = [part.split(":", 1)[1].strip() for part in subject.split(", ") if ":" in part]
    return " · ".join(dict.fromkeys(v for v in values if v))


@extend_schema(
    summary="The item's signed PDF record",
    parameters=[OpenApiParameter("kind", str, enum=["publication", "refusal", "withdrawal"], required=False)],
    responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: None},
)
@api_view(["GET", "HEAD"])  # HEAD: a client checks the record (size, hash) before fetching it
@renderer_classes(PDF_RENDERERS)  # Accept: application/pdf (or */*) is what this serves
@permission_classes([AllowAny])  # published items are public; access.record_for decides the rest
def record_download(request, pk):
    """GET /api/disclosures/{id}/record/: the item's signed record (404 before there is one)."""
    record = access.record_for(request.user, pk, kind=request.GET.get("kind"))
    if record is None:
        raise Http404("no record")
    path = record.file_path
    if not path.is_file():
        raise Http404("no record")
    if request.method == "GET":  # a HEAD downloads nothing: it is not audited as a download
        access.log_download(request.user, record)
    response = FileResponse(open(path, "rb"), content_type="application/pdf", as_attachment=False,
                            filename=f"{record.number}.pdf")
    response["X-Content-SHA256"] = record.sha256
    response["Cache-Control"] = "private, no-store" if record.kind != "publication" else "public, max-age=300"
    return response
