"""One RTSP session: pull a camera over TCP and stream-copy it into short segment files.

Segments are MPEG-TS for H.264/H.265 and Matroska for other codecs (storage.container_for), flushed
to the file at least every FLUSH_SECONDS, so a recorder killed at any moment leaves a playable file that
ends at most that long before the kill. Segments are cut on keyframes once they are SEGMENT_SECONDS long, so each
one plays on its own. A segment is only written when its first keyframe decodes: a camera sending
data that is not video is an error with its reason, never "recording".
"""

import contextlib
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import av
from django.conf import settings
from django.utils.translation import gettext_noop

from recordings.choices import GapCause

from . import describe, storage
from .clock import Boundary, StreamClock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CameraSource:
    """What a session needs to know about the camera; `url` may hold credentials: never log it."""

    camera_id: int
    url: str
    secrets: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CameraSource) and (self.camera_id, self.url) == (other.camera_id, other.url)

    def __hash__(self) -> int:
        return hash((self.camera_id, self.url))


@dataclass(frozen=True)
class StreamInfo:
    codec: str
    width: int
    height: int
    fps: float | None
    audio_dropped: bool  # the camera sends sound, which is not recorded (docs/capture.md)


@dataclass(frozen=True)
class ClosedSegment:
    """A finished segment file, with the times the clock gave it."""

    camera_id: int
    relpath: str
    start: datetime
    end: datetime
    bytes: int
    codec: str
    width: int
    height: int
    clock: Boundary  # how the end instant was found (source, correction, step, the camera's clock)

    @property
    def clock_offset_s(self) -> float | None:
        """The camera's own clock minus ours, when it sends RTCP reports with a clock that is set."""
        return self.clock.camera_offset_s

    @property
    def bitrate_kbps(self) -> float:
        return self.bytes * 8 / 1000 / max((self.end - self.start).total_seconds(), 1e-3)


class SessionError(Exception):
    """The session could not start or went down; `cause` says how, `message` is safe to show.

    Messages are English msgids (they go into logs and gap details); the status row stores their code
    from cameras/reasons.py, rendered in each reader's language."""

    def __init__(self, cause: GapCause, message: str, *, needs_attention: bool = False) -> None:
        super().__init__(message)
        self.cause = cause
        self.message = message
        # Errors a person must fix (credentials, no video) are retried slowly, not in a tight loop.
        self.needs_attention = needs_attention


def describe_av_error(exc: BaseException, *, waited: float | None = None) -> SessionError:
    """Turn a PyAV/OS error into a cause and a message with no URL (and so no password) in it.

    `waited` is how long the failing call took: ffmpeg reports both a socket timeout and an answer
    that is not RTSP as invalid data, and only the time tells them apart."""
    if isinstance(exc, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError):
        return SessionError(
            GapCause.AUTH_FAILED, gettext_noop("The camera refused the user name or password."), needs_attention=True
        )
    if isinstance(exc, av.error.HTTPNotFoundError):
        return SessionError(
            GapCause.CAMERA_UNREACHABLE,
            gettext_noop("The camera has no stream at this URL path (404)."),
            needs_attention=True,
        )
    if isinstance(exc, av.error.HTTPServerError):
        return SessionError(
            GapCause.CAMERA_UNREACHABLE, gettext_noop("The camera reported an internal error (RTSP 5xx).")
        )
    if isinstance(exc, ConnectionRefusedError | av.error.ConnectionRefusedError):
        return SessionError(GapCause.CAMERA_UNREACHABLE, gettext_noop("The camera refused the connection."))
    timed_out = waited is None or waited >= 0.9 * settings.CAPTURE_RTSP_TIMEOUT_SECONDS
    if isinstance(exc, av.error.InvalidDataError) and not timed_out:
        return SessionError(
            GapCause.BAD_RESPONSE,
            gettext_noop("The camera answers with data that is not an RTSP video stream."),
            needs_attention=True,
        )
    if isinstance(exc, TimeoutError | av.error.ExitError | av.error.TimeoutError | av.error.InvalidDataError):
        return SessionError(GapCause.STREAM_STALLED, gettext_noop("The camera stopped answering (timed out)."))
    if isinstance(exc, EOFError | av.error.EOFError):
        return SessionError(GapCause.STREAM_ENDED, gettext_noop("The camera ended the stream."))
    # ffmpeg's own words go to the log (its exceptions carry the URL, and so the password, in
    # `filename`: only strerror is safe); the operator gets a sentence that can be translated.
    log.info("camera stream error %s: %s", type(exc).__name__, getattr(exc, "strerror", None))
    return SessionError(GapCause.CAMERA_UNREACHABLE, gettext_noop("The camera cannot be read."))


def rtsp_options(timeout: float) -> dict[str, str]:
    """Demuxer options for reading a camera: TCP, a socket timeout for hung cameras, and no frame-rate
    probing (the rate is in the stream header; probing it costs ~2 s before the first frame).

    The timeout is ffmpeg's own socket timeout, not PyAV's `timeout=`: PyAV checks that one in an
    interrupt callback that takes the GIL on every I/O poll, which more than doubled the recorder's CPU."""
    return {"rtsp_transport": "tcp", "timeout": str(int(timeout * 1_000_000)), "fpsprobesize": "0"}


def check_address(url: str) -> SessionError | None:
    """Catch what ffmpeg would only call an 'Input/output error': a bad URL or an unknown host name."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or 554
    except ValueError:
        return SessionError(
            GapCause.CAMERA_UNREACHABLE, gettext_noop("The camera's URL is not valid."), needs_attention=True
        )
    if not host:
        return SessionError(
            GapCause.CAMERA_UNREACHABLE, gettext_noop("The camera's URL has no host."), needs_attention=True
        )
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return SessionError(
            GapCause.CAMERA_UNREACHABLE,
            gettext_noop("The camera's host name cannot be resolved."),
            needs_attention=True,
        )
    return None


# Without a keyframe that decodes for this long, the camera sends no picture we could keep. Long
# enough for a 10 s GOP camera that does not start viewers on a fresh keyframe.
PICTURE_DEADLINE_SECONDS = 12.0
# This many keyframes in a row that do not decode end the session at once (corrupt streams cost CPU);
# before the first good one, a single one does.
UNDECODABLE_KEYFRAMES_MAX = 2
# ffmpeg's parser hands over an H.264/H.265 frame only when the next one starts arriving (clock.py).
_PARSER_DELAYED_CODECS = frozenset({"h264", "hevc", "mpeg4", "mpeg2video"})
# What a SIGKILLed recorder may lose: the muxer's buffer is written to the file at least this often (the
# page cache outlives the process). A write per frame (flush_packets) cost 2–7 % of a recorder
# thread's CPU (docs/capture.md "Per thread").
FLUSH_SECONDS = 0.5
_FLUSH_PACKETS = av.container.Flags.flush_packets.value


class KeyframeCheck:
    """Decodes a segment's first keyframe: the cheap proof that what we store is video.

    One decoder per session, fed only keyframes (each one decodes on its own): about 1 ms for a 720p
    H.264 keyframe, half of what a fresh decoder per check costs (bench/results/recording.json)."""

    def __init__(self, stream: av.video.stream.VideoStream) -> None:
        self.template = stream.codec_context
        self.decoder: av.CodecContext | None = None

    def decodes(self, packet: av.Packet) -> bool:
        try:
            if self.decoder is None:
                self.decoder = av.CodecContext.create(self.template.name, "r")
                self.decoder.thread_count = 1
                # The deblocking filter smooths a picture already decoded and never finds an error:
                # skipping it keeps the proof and saves a fifth of the decode (docs/capture.md).
                self.decoder.options = {"skip_loop_filter": "all"}
                if self.template.extradata:
                    self.decoder.extradata = self.template.extradata
            if self.decoder.decode(packet):
                return True
            # Held back by the decoder: drain it, then make it ready for the next keyframe.
            frames = self.decoder.decode(None)
            self.decoder.flush_buffers()
            return bool(frames)
        except (av.error.FFmpegError, ValueError):
            self.decoder = None  # a decoder that saw garbage starts afresh
            return False


class _SegmentFile:
    """The segment being written: a muxer stream-copying one video stream, flushed every FLUSH_SECONDS."""

    def __init__(self, path: Path, template: av.video.stream.VideoStream, first_pts: int) -> None:
        container = storage.container_for(template.codec_context.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.first_pts = first_pts
        self.last_pts = first_pts
        self.container = av.open(str(path), "w", format=container.format, options=dict(container.options))
        self.stream = self.container.add_stream_from_template(template)
        source = template.codec_context  # the output stream's context names the encoder, not the codec
        self.codec, self.width, self.height = source.name, source.width, source.height
        self._flags = self.container.flags
        self._flush_at = 0.0  # the first packet (the keyframe) goes to the file at once

    def write(self, packet: av.Packet, now: float) -> None:
        """Mux `packet`, which arrived at `now` (time.monotonic()); flush the file once FLUSH_SECONDS
        have passed since the last flush. PyAV has no flush call: ffmpeg's per-packet flag, set for this
        one packet, flushes after it (the muxer also writes when its buffer fills: 256 KiB)."""
        packet.stream = self.stream
        if now >= self._flush_at:
            self._flush_at = now + FLUSH_SECONDS
            self.container.flags = self._flags | _FLUSH_PACKETS
            try:
                self.container.mux(packet)
            finally:
                self.container.flags = self._flags
        else:
            self.container.mux(packet)
        pts = packet.pts
        if pts is not None and pts > self.last_pts:
            self.last_pts = pts

    def close(self) -> int:
        self.container.close()
        return self.path.stat().st_size


class RecordingSession:
    """Reads one camera until the stream ends, fails, or `should_stop()` turns true."""

    def __init__(
        self,
        source: CameraSource,
        *,
        on_started: Callable[[StreamInfo], None],
        on_segment: Callable[[ClosedSegment], None],
        should_stop: Callable[[], bool],
        segment_seconds: float | None = None,
    ) -> None:
        self.source = source
        self.on_started = on_started
        self.on_segment = on_segment
        self.should_stop = should_stop
        self.segment_seconds = segment_seconds or settings.SEGMENT_SECONDS

    def run(self) -> SessionError | None:
        """Record until the end; returns why it ended (None when asked to stop)."""
        timeout = settings.CAPTURE_RTSP_TIMEOUT_SECONDS
        if error := check_address(self.source.url):
            return error
        options = rtsp_options(timeout)
        with contextlib.ExitStack() as held:
            tracks = None
            if self._plain_rtsp:  # rtsps:// (TLS) is ffmpeg's alone to speak
                try:
                    tracks = held.enter_context(describe.described(self.source.url, timeout=timeout))
                except (TimeoutError, ConnectionRefusedError) as exc:
                    return describe_av_error(exc)  # ffmpeg would wait as long again to say the same
                except (describe.DescribeError, OSError, ValueError) as exc:
                    # ffmpeg asks again, with every track, and says what is wrong (or gets along where we did not).
                    log.info("camera %s not described: %s", self.source.camera_id, exc)
            if tracks is not None and tracks.video:
                options["allowed_media_types"] = "video"  # the camera never sends the sound we do not record
            opened = time.monotonic()
            try:
                container = av.open(self.source.url, options=options)
            except Exception as exc:  # noqa: BLE001 - every failure to open is reported, never raised
                return describe_av_error(exc, waited=time.monotonic() - opened)
        try:
            return self._record(container, audio=tracks.audio if tracks is not None and tracks.video else None)
        finally:
            container.close()

    @property
    def _plain_rtsp(self) -> bool:
        return self.source.url[:7].lower() == "rtsp://"

    def _record(self, container: av.container.InputContainer, *, audio: bool | None) -> SessionError | None:
        if not container.streams.video:
            return SessionError(GapCause.NO_VIDEO, gettext_noop("The stream has no video track."), needs_attention=True)
        video = container.streams.video[0]
        codec = video.codec_context.name
        clock = StreamClock(
            video.time_base,
            frame_delay=codec in _PARSER_DELAYED_CODECS,
            step_bound=settings.CAPTURE_CLOCK_STEP_SECONDS,
        )
        self._container = container
        self._audio_dropped = audio if audio is not None else bool(container.streams.audio)
        current: _SegmentFile | None = None
        started = False
        step = 0
        undecodable = 0
        picture_deadline = time.monotonic() + PICTURE_DEADLINE_SECONDS
        error: SessionError | None = None
        check = KeyframeCheck(video)
        should_stop, observe = self.should_stop, clock.observe
        try:
            for packet in container.demux(video):
                if should_stop():
                    break
                pts = packet.pts
                if pts is None or packet.dts is None:
                    continue
                observe(pts, time.time())
                if current is not None and pts > current.last_pts:
                    step = pts - current.last_pts
                boundary = packet.is_keyframe and (
                    current is None
                    or clock.elapsed(pts) - clock.elapsed(current.first_pts) >= self.segment_seconds - 0.05
                )
                if boundary and not check.decodes(packet):
                    # What follows this keyframe cannot be shown: close what was good, keep nothing new.
                    undecodable += 1
                    if current is not None:
                        self._finish(current, clock, pts)
                        current = None
                        picture_deadline = time.monotonic() + PICTURE_DEADLINE_SECONDS
                    if not started or undecodable >= UNDECODABLE_KEYFRAMES_MAX:
                        error = _undecodable()
                        break
                    continue
                if boundary:
                    undecodable = 0
                    if current is not None:
                        self._finish(current, clock, pts)
                    current = self._open(video, pts)
                    if not started:
                        started = True
                        self.on_started(self._info(video))
                if current is not None:
                    current.write(packet, time.monotonic())
                elif time.monotonic() > picture_deadline:
                    error = _undecodable()
                    break
        except Exception as exc:  # noqa: BLE001 - a camera failure ends the session, never the recorder
            error = describe_av_error(exc)
        else:
            if error is None and not self.should_stop():
                error = SessionError(GapCause.STREAM_ENDED, gettext_noop("The camera ended the stream."))
        if current is not None:
            self._finish(current, clock, current.last_pts + max(step, 1))
        return error

    def _open(self, video: av.video.stream.VideoStream, pts: int) -> _SegmentFile:
        # Named after the arrival time for now; renamed at close to the instant the clock settles on.
        provisional = datetime.fromtimestamp(time.time(), tz=storage.UTC)
        suffix = storage.container_for(video.codec_context.name).suffix
        path = storage.absolute(storage.segment_relpath(self.source.camera_id, provisional, suffix))
        return _SegmentFile(path, video, pts)

    def _finish(self, current: _SegmentFile, clock: StreamClock, end_pts: int) -> None:
        size = current.close()
        boundary = clock.settle(
            end_pts, start_pts=current.first_pts, rtcp_realtime_us=self._container.start_time_realtime
        )
        start, end = clock.utc(boundary.previous), clock.utc(boundary.instant)
        if end <= start:
            end = start + timedelta(microseconds=1)
        relpath = storage.segment_relpath(self.source.camera_id, start, current.path.suffix)
        final = storage.absolute(relpath)
        if final != current.path:
            final.parent.mkdir(parents=True, exist_ok=True)
            current.path.rename(final)
        self.on_segment(
            ClosedSegment(
                camera_id=self.source.camera_id,
                relpath=relpath,
                start=start,
                end=end,
                bytes=size,
                codec=current.codec,
                width=current.width,
                height=current.height,
                clock=boundary,
            )
        )

    def _info(self, video: av.video.stream.VideoStream) -> StreamInfo:
        rate = video.average_rate or video.guessed_rate
        return StreamInfo(
            codec=video.codec_context.name,
            width=video.codec_context.width,
            height=video.codec_context.height,
            fps=float(rate) if rate else None,
            audio_dropped=self._audio_dropped,
        )


def _undecodable() -> SessionError:
    return SessionError(
        GapCause.UNDECODABLE,
        gettext_noop("The camera sends data that does not decode as video (a corrupt or unsupported stream)."),
        needs_attention=True,
    )
