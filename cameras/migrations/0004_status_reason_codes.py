"""Status reasons stored as English sentences become codes (cameras/reasons.py)."""

from django.db import migrations

# A copy, not an import: a migration must keep meaning what it meant when it was written.
CODES = {
    "The camera refused the user name or password.": "auth_refused",
    "The camera has no stream at this URL path (404).": "no_stream_at_path",
    "The camera reported an internal error (RTSP 5xx).": "camera_internal_error",
    "The camera refused the connection.": "connection_refused",
    "The camera answers with data that is not an RTSP video stream.": "not_rtsp_video",
    "The camera stopped answering (timed out).": "timed_out",
    "The camera ended the stream.": "stream_ended",
    "The camera cannot be read.": "unreadable",
    "The camera's URL is not valid.": "url_invalid",
    "The camera's URL has no host.": "url_no_host",
    "The camera's host name cannot be resolved.": "host_unresolved",
    "The stream has no video track.": "no_video_track",
    "The camera sends data that does not decode as video (a corrupt or unsupported stream).": "undecodable",
}


def to_codes(apps, schema_editor):
    CameraStatus = apps.get_model("cameras", "CameraStatus")
    for text, code in CODES.items():
        CameraStatus.objects.filter(reason=text).update(reason=code)


def to_texts(apps, schema_editor):
    CameraStatus = apps.get_model("cameras", "CameraStatus")
    for text, code in CODES.items():
        CameraStatus.objects.filter(reason=code).update(reason=text)


class Migration(migrations.Migration):
    dependencies = [("cameras", "0003_recorder_truth")]

    operations = [migrations.RunPython(to_codes, to_texts)]
