"""Steps of the request workflow for tests: submit, approve, and a package made ready without a worker."""

import zipfile
from datetime import timedelta
from typing import Any

from django.utils import timezone

from disclosures import services
from disclosures.models import DisclosureRequest
from exports.models import Export
from exports.paths import export_dir

from .conftest import World, body, local_text


def submit(world: World, client: Any, **overrides: Any) -> DisclosureRequest:
    response = client.post("/api/requests/", body(world, **overrides), format="json")
    assert response.status_code == 201, response.json()
    return DisclosureRequest.objects.get(pk=response.json()["id"])


def approve_part(world: World, client: Any, request: DisclosureRequest) -> Any:
    return client.post(
        f"/api/requests/{request.pk}/review/",
        {
            "decision": "approve_part",
            "reason": "Tik vartų kamera ir dvi minutės",
            "cameras": [world.gate.pk],
            "start": local_text(world.t0 + timedelta(minutes=2)),
            "end": local_text(world.t0 + timedelta(minutes=4)),
        },
        format="json",
    )


def make_ready(request: DisclosureRequest, content: bytes = b"PK-test-package") -> Export:
    """Mark the request's export READY with a package file, as a worker would, and note it."""
    export = request.export
    folder = export_dir(export.pk)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"evidence-{export.pk}.zip"
    with zipfile.ZipFile(folder / name, "w") as package:
        package.writestr("SHA256SUMS", content)
    Export.objects.filter(pk=export.pk).update(
        state=Export.State.READY, progress=1.0, package_name=name, package_bytes=(folder / name).stat().st_size,
        package_sha256="0" * 64, finished_at=timezone.now(),
    )  # fmt: skip
    services.export_finished(export_id=export.pk)
    request.refresh_from_db()
    return Export.objects.get(pk=export.pk)


def made_request(camera: Any, requester: Any, start: Any, end: Any, *, reviewer: Any = None) -> DisclosureRequest:
    """A request made through the services (no validation), approved with its package ready when a reviewer
    is given; for tests of other apps (the permission matrix)."""
    request = services.submit_request(
        requester=requester, cameras=[camera], start=start, end=end, case_number="MATRIX-1",
        legal_basis="pre_trial", reason="Matrix",
    )  # fmt: skip
    if reviewer is not None:
        services.review_request(request_id=request.pk, reviewer=reviewer, decision="approve", reason="Matrix")
        request.refresh_from_db()
        make_ready(request)
    return request
