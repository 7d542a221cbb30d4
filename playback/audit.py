"""The one place where viewing live or recorded video will be written to the audit log."""

from django.http import HttpRequest

from cameras.models import Camera


def note_viewing(request: HttpRequest, camera: Camera, kind: str, **detail: object) -> None:
    """Record that request.user viewed `camera` (kind: live, playback, snapshot, clip).

    TODO(issue 3, "Access control, audit and hardening"): call its append-only audit log here. A no-op
    until then, deliberately: every live view, playback, snapshot and clip download already passes here.
    """
