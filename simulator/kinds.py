"""The kinds of camera the simulator can be: one per misbehaviour or codec the field has."""

# Pure standard library on purpose: rtsp_camera.py (Debian's system Python) imports this file by path, the
# venv imports it as simulator.kinds. The order is the order `simulate_cameras --field-kinds` adds them.

DEFAULT_KIND = "h264"
KINDS: dict[str, str] = {
    "h264": "H.264 video (the default)",
    "h265": "H.265/HEVC video",
    "mjpeg": "Motion-JPEG video over RTP",
    "audio-only": "an A-law audio track and no video",
    "audio-video": "H.264 video plus an A-law audio track",
    "clock-slow": "H.264 whose stream timestamps run at 95 % of real time",
    "clock-fast": "H.264 whose stream timestamps run at 105 % of real time",
    "rtcp-plus-1h": "H.264 whose RTCP sender reports are one hour ahead of the true time",
    "rtcp-1900": "H.264 whose RTCP sender reports say 1900 (a camera whose clock was never set)",
    "fps1": "H.264 at one frame per second",
    "gop10": "H.264 with a keyframe every 10 s",
    "corrupt-rtp": "answers RTSP normally, then sends RTP whose payloads are garbage (no frame decodes)",
    "random-bytes": "a TCP listener that answers with random bytes, not RTSP",
    "hang": "accepts TCP connections and never answers",
    # Last, so that the ports of the kinds before it stay where they were.
    "frozen": "H.264 of one unchanging picture (no moving square, no clock, no timecode strip): a hung encoder",
}
# Kinds that are not an RTSP server at all but a bare TCP listener (no GStreamer).
SOCKET_KINDS = ("random-bytes", "hang")
# Kinds whose every frame is the same picture.
FROZEN_KINDS = ("frozen",)
# Rate of the stream clock relative to real time.
CLOCK_RATES = {"clock-slow": 0.95, "clock-fast": 1.05}
# Frame rate and keyframe interval a kind imposes over the command line.
FORCED_FPS = {"fps1": 1}
FORCED_KEYFRAME_SECONDS = {"gop10": 10.0}
VIDEO_CODEC = {"h265": "h265", "mjpeg": "mjpeg", "audio-only": None, **dict.fromkeys(SOCKET_KINDS)}


def video_codec(kind: str) -> str | None:
    """'h264', 'h265' or 'mjpeg' for a kind with video, None for one without."""
    return VIDEO_CODEC.get(kind, "h264")


# `simulate_cameras --field-kinds` adds one camera of each of these after the regular ones, in this order.
FIELD_KINDS = tuple(k for k in KINDS if k != DEFAULT_KIND)
