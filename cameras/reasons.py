"""Why a camera is not recording: stored as a code on CameraStatus.reason, rendered in the reader's language.

A status row is read by pages and websockets in Lithuanian, Latvian and English at the same moment, so
it never holds a sentence in one language: the recorder stores a code from REASONS and every reader
renders it with `reason_text` in its own language (docs/alarm-codes.md).
"""

from django.utils.translation import gettext, gettext_noop

# code -> the English text (a gettext msgid). Codes are stable: a status row written today is read by
# the next release. Add new ones at the end; never reuse a code for another meaning.
REASONS: dict[str, str] = {
    "decommissioned": gettext_noop("Decommissioned"),
    "no_recorder": gettext_noop("No recorder is reporting for this camera."),
    "auth_refused": gettext_noop("The camera refused the user name or password."),
    "no_stream_at_path": gettext_noop("The camera has no stream at this URL path (404)."),
    "camera_internal_error": gettext_noop("The camera reported an internal error (RTSP 5xx)."),
    "connection_refused": gettext_noop("The camera refused the connection."),
    "not_rtsp_video": gettext_noop("The camera answers with data that is not an RTSP video stream."),
    "timed_out": gettext_noop("The camera stopped answering (timed out)."),
    "stream_ended": gettext_noop("The camera ended the stream."),
    "unreadable": gettext_noop("The camera cannot be read."),
    "url_invalid": gettext_noop("The camera's URL is not valid."),
    "url_no_host": gettext_noop("The camera's URL has no host."),
    "host_unresolved": gettext_noop("The camera's host name cannot be resolved."),
    "no_video_track": gettext_noop("The stream has no video track."),
    "undecodable": gettext_noop(
        "The camera sends data that does not decode as video (a corrupt or unsupported stream)."
    ),
}
_CODE_OF_TEXT = {text: code for code, text in REASONS.items()}


def reason_code(text: str) -> str:
    """The code of a reason the recorder describes in English (session errors carry the msgid), or the
    text itself when it has no code yet: it is then still translated through gettext when shown."""
    return _CODE_OF_TEXT.get(text, text)


def reason_text(code: str) -> str:
    """The reason in the active language; a text stored before codes (or without one) goes through gettext."""
    if not code:
        return ""
    return gettext(REASONS.get(code, code))
