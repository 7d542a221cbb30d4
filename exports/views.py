"""Public evidence pages: the installation's public key and its fingerprint, and a page that checks an
uploaded package. Also the helper with which callers serve a package after their own access check."""

import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from birzai_vms import keys

from .manifest import public_key_fingerprint
from .models import Export
from .services import package_path
from .verification import verify_package

CHUNK = 1 << 20


def package_response(export: Export) -> FileResponse:
    """The zip of a READY export as a download; the caller has checked access and records the download."""
    path = package_path(export)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=export.package_name, content_type="application/zip"
    )


@require_GET
def public_key_pem(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(keys.public_key_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="public_key.pem"'
    return response


@require_GET
def key_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exports/key.html",
        {"pem": keys.public_key_pem(), "fingerprint": public_key_fingerprint(), "key_id": keys.key_id()},
    )


class VerifyForm(forms.Form):
    package = forms.FileField(label=gettext_lazy("Evidence package (zip)"))


def _too_large() -> str:
    return _("The file is larger than %(mb)d MB, more than this page accepts.") % {
        "mb": settings.VERIFY_UPLOAD_MAX_BYTES // 1024**2
    }


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Upload a package: "intact", or each problem naming the file. No login: anyone holding a package
    (a court, a defence lawyer) may check it; nothing is stored."""
    context: dict[str, object] = {"form": VerifyForm(), "max_mb": settings.VERIFY_UPLOAD_MAX_BYTES // 1024**2}
    if request.method == "POST":
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > settings.VERIFY_UPLOAD_MAX_BYTES + 64 * 1024:
            # Refused before the body is read.
            context["error"] = _too_large()
            return render(request, "exports/verify.html", context, status=413)
        form = VerifyForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, "exports/verify.html", context, status=400)
        upload = form.cleaned_data["package"]
        if upload.size > settings.VERIFY_UPLOAD_MAX_BYTES:
            context["error"] = _too_large()
            return render(request, "exports/verify.html", context, status=413)
        if hasattr(upload, "temporary_file_path"):
            problems = verify_package(Path(upload.temporary_file_path()))  # spooled to disk already
        else:
            with tempfile.TemporaryFile() as copy:
                for chunk in upload.chunks(CHUNK):
                    copy.write(chunk)
                copy.seek(0)
                problems = verify_package(copy)
        context.update({"checked": upload.name, "problems": problems, "intact": not problems})
    return render(request, "exports/verify.html", context)
