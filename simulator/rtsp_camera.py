#!/usr/bin/python3
"""Synthetic RTSP camera (GStreamer RTSP server) of one --kind, burned-in clock and machine-readable timecode."""

# Runs under Debian's system Python because `gi` (Gst, GstRtspServer) is only installed there; it must not
# import Django or numpy. Frames are painted here in pure Python (bytearray slices) so that each frame's
# timecode is exactly the wall clock at the moment its PTS was taken.
#
# Shared encoder (--mounts N): one GstRTSPMediaFactory whose gen_key always returns the same key is mounted
# on N GstRTSPServer instances listening on consecutive ports, so every reader on every port joins the ONE
# shared GstRTSPMedia (one appsrc -> x264enc pipeline). All N cameras then show the same picture; the burned
# name is --name. Each port can be closed and reopened at run time with "stop K" / "start K" lines on stdin
# (--control-stdin), which the fleet uses to simulate the outage of one camera.
#
# --kind picks what the camera is (simulator/kinds.py lists them): a codec (h264, h265, mjpeg), audio,
# a stream clock that runs slow or fast, RTCP sender reports with a wrong wall clock, a low frame rate or a
# long GOP, garbled RTP payloads, or no RTSP server at all (random bytes, a hung listener). Clock kinds use a
# calibrated pipeline clock, so every timestamp the pipeline makes (PTS, RTP time, RTCP) follows it.

from __future__ import annotations

import argparse
import math
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kinds  # noqa: E402
import timecode_strip as ts  # noqa: E402  (by path: the system Python cannot import the project package)

# Element -> Debian package, so a missing plugin produces an actionable message.
BASE_ELEMENTS = {"rtpbin": "gstreamer1.0-plugins-good"}  # the RTSP server's media pipeline uses it
VIDEO_ELEMENTS = {
    "appsrc": "gstreamer1.0-plugins-base",
    "textoverlay": "gstreamer1.0-x",
}
CODEC_ELEMENTS = {
    "h264": {
        "x264enc": "gstreamer1.0-plugins-ugly",
        "h264parse": "gstreamer1.0-plugins-bad",
        "rtph264pay": "gstreamer1.0-plugins-good",
    },
    "h265": {
        "x265enc": "gstreamer1.0-plugins-bad",
        "h265parse": "gstreamer1.0-plugins-bad",
        "rtph265pay": "gstreamer1.0-plugins-good",
    },
    "mjpeg": {"jpegenc": "gstreamer1.0-plugins-good", "rtpjpegpay": "gstreamer1.0-plugins-good"},
}
AUDIO_ELEMENTS = {
    "audiotestsrc": "gstreamer1.0-plugins-base",
    "alawenc": "gstreamer1.0-plugins-good",
    "rtppcmapay": "gstreamer1.0-plugins-good",
}
# NTP (1900-based) seconds at the Unix epoch: the RTCP clock of rtcp-plus-1h is this much ahead of Unix time.
NTP_UNIX_OFFSET_S = 2_208_988_800
RTCP_AHEAD_S = 3600
BASE_PACKAGES = "python3-gi gir1.2-gst-rtsp-server-1.0"
UNAVAILABLE_EXIT = 3  # fleet.py turns this exit status plus the UNAVAILABLE line into a clear error

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, GObject, Gst, GstRtspServer
except (ImportError, ValueError) as _exc:
    print(f"UNAVAILABLE {_exc}; install the Debian packages: {BASE_PACKAGES}", flush=True)
    sys.exit(UNAVAILABLE_EXIT)

try:
    from zoneinfo import ZoneInfo

    DISPLAY_TZ = ZoneInfo("Europe/Vilnius")
except (ImportError, KeyError, OSError):  # no tzdata: show UTC rather than refuse to run
    DISPLAY_TZ = UTC


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line of one simulator process."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True, help="RTSP port (first port with --mounts)")
    p.add_argument("--path", default="/live")
    p.add_argument("--name", default="Camera")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=720)
    p.add_argument("--fps", type=int, default=12)
    p.add_argument("--bitrate-kbps", type=int, default=1500)
    p.add_argument("--keyframe-seconds", type=float, default=2.0)
    p.add_argument("--threads", type=int, default=1, help="x264 threads (0 = auto); 1 is cheapest per camera")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument(
        "--kind",
        choices=list(kinds.KINDS),
        default=kinds.DEFAULT_KIND,
        help="what camera to be: " + "; ".join(f"{k}: {d}" for k, d in kinds.KINDS.items()),
    )
    p.add_argument("--audio-only", action="store_true", help="same as --kind audio-only")
    p.add_argument("--mounts", type=int, default=1, help="serve N ports from ONE shared encoder")
    p.add_argument("--control-stdin", action="store_true", help="read 'stop K'/'start K'; exit on EOF")
    a = p.parse_args(argv)
    if a.audio_only:
        if a.kind not in (kinds.DEFAULT_KIND, "audio-only"):
            p.error("--audio-only contradicts --kind")
        a.kind = "audio-only"
    a.fps = kinds.FORCED_FPS.get(a.kind, a.fps)
    a.keyframe_seconds = kinds.FORCED_KEYFRAME_SECONDS.get(a.kind, a.keyframe_seconds)
    if a.kind in kinds.SOCKET_KINDS and (a.mounts != 1 or a.control_stdin):
        p.error(f"--kind {a.kind} is a single bare TCP listener: no --mounts, no --control-stdin")
    if (a.user is None) != (a.password is None):
        p.error("--user and --password go together")
    if a.width % 2 or a.height % 2 or a.width < ts.MIN_WIDTH or a.height < ts.MIN_HEIGHT:
        p.error(f"--width/--height must be even and at least {ts.MIN_WIDTH}x{ts.MIN_HEIGHT}")
    if not a.path.startswith("/"):
        p.error("--path must start with /")
    return a


class Painter:
    """Paints I420 frames: a static gradient, a moving square (so the encoder has motion) and the strip."""

    def __init__(self, width: int, height: int) -> None:
        self.w, self.h = width, height
        cw, ch = width // 2, height // 2
        self.y_size = width * height
        x0, y0 = ts.strip_origin(width, height)
        self.strip_x, self.strip_y = x0, y0
        q = ts.MARGIN // 2  # grey quiet zone around the cells keeps the background out of their edges
        qx0, qx1, qy0, qy1 = x0 - q, x0 + ts.STRIP_WIDTH + q, y0 - q, y0 + ts.STRIP_HEIGHT + q
        buf = bytearray(self.y_size + 2 * cw * ch)
        ramp = bytes(40 + (x * 120) // width for x in range(width))
        for y in range(height):
            shift = (y * 40) // height
            row = bytes(v + shift for v in ramp)
            buf[y * width : (y + 1) * width] = row
            if qy0 <= y < qy1:
                buf[y * width + qx0 : y * width + qx1] = bytes([ts.LUMA_QUIET]) * (qx1 - qx0)
        u_off, v_off = self.y_size, self.y_size + cw * ch
        for y in range(ch):
            u = bytes(90 + (x * 80) // cw for x in range(cw))
            v = bytes([100 + (y * 60) // ch]) * cw
            buf[u_off + y * cw : u_off + (y + 1) * cw] = u
            buf[v_off + y * cw : v_off + (y + 1) * cw] = v
            if qy0 // 2 <= y < qy1 // 2:  # neutral chroma under the strip: the cells are pure luma
                for off in (u_off, v_off):
                    buf[off + y * cw + qx0 // 2 : off + y * cw + qx1 // 2] = bytes([128]) * ((qx1 - qx0) // 2)
        self.background = bytes(buf)
        self.square = max(16, height // 8)
        self.white_square = bytes([220]) * self.square
        self.cell = {0: bytes([ts.LUMA_BLACK]) * ts.BLOCK, 1: bytes([ts.LUMA_WHITE]) * ts.BLOCK}

    def paint(self, millis: int, frame_no: int) -> bytes:
        """One I420 frame whose strip encodes millis."""
        w = self.w
        f = bytearray(self.background)
        # The square crosses the picture in ~8 s, bouncing, at a third of the height.
        span = w - self.square
        pos = (frame_no * 8) % (2 * span)
        sx = pos if pos < span else 2 * span - pos
        sy = self.h // 3
        for y in range(sy, sy + self.square):
            f[y * w + sx : y * w + sx + self.square] = self.white_square
        for r, bits in enumerate(ts.encode_cells(millis)):
            row = b"".join(self.cell[b] for b in bits)
            top = self.strip_y + r * ts.BLOCK
            for y in range(top, top + ts.BLOCK):
                f[y * w + self.strip_x : y * w + self.strip_x + ts.STRIP_WIDTH] = row
        return bytes(f)


def label(name: str, millis: int) -> str:
    """Burned-in text: camera name and local (Europe/Vilnius) wall-clock time with milliseconds."""
    t = datetime.fromtimestamp(millis / 1000, tz=UTC).astimezone(DISPLAY_TZ)
    # textoverlay parses its text as Pango markup: a name with & or < must not break the overlay.
    return f"{GLib.markup_escape_text(name)}\n{t:%Y-%m-%d %H:%M:%S}.{millis % 1000:03d} {t:%Z}"


class _Producer(threading.Thread):
    """Pushes buffers into one media's appsrc at a steady pace until the media goes away."""

    def __init__(self, media: GstRtspServer.RTSPMedia, appsrc: Gst.Element, name: str) -> None:
        super().__init__(daemon=True, name=name)
        self.appsrc = appsrc
        self.stop_event = threading.Event()
        media.connect("unprepared", lambda *_: self.stop_event.set())

    def paced(self, period: float) -> Iterator[int]:
        """The appsrc's running time once every period seconds while the media plays, until it goes away."""
        deadline = time.monotonic()
        while not self.stop_event.is_set():
            deadline += period
            delay = deadline - time.monotonic()
            if delay > 0:
                self.stop_event.wait(delay)
            elif delay < -period:  # fell behind (e.g. SIGSTOP): skip, never burst old buffers
                deadline = time.monotonic()
            clock = self.appsrc.get_clock()
            _, state, _ = self.appsrc.get_state(0)
            if clock is None or state != Gst.State.PLAYING:
                continue  # base time is only valid in PLAYING; buffers before that would carry a wrong PTS
            yield clock.get_time() - self.appsrc.get_base_time()

    def push(self, buf: Gst.Buffer) -> bool:
        """False once the media is gone (FLUSHING while it changes state is transient)."""
        ret = self.appsrc.emit("push-buffer", buf)
        return ret == Gst.FlowReturn.OK or (ret == Gst.FlowReturn.FLUSHING and not self.stop_event.is_set())


class FrameProducer(_Producer):
    """Pushes frames into one media's appsrc at --fps until the media goes away."""

    def __init__(
        self,
        media: GstRtspServer.RTSPMedia,
        appsrc: Gst.Element,
        text: Gst.Element | None,
        painter: Painter,
        name: str,
        fps: int,
        frozen: bool = False,
    ) -> None:
        super().__init__(media, appsrc, "frames")
        self.painter, self.name_text, self.fps = painter, name, fps
        # A frozen camera sends the background alone, labelled with the name only: every frame the same.
        self.frozen = frozen
        self.labels: dict[int, str] = {}
        self.last_label = ""
        if text is not None:
            # Set the overlay text from inside the streaming thread, just before textoverlay sees the
            # buffer, so the human-readable time always belongs to that very frame.
            self.text = text
            text.get_static_pad("video_sink").add_probe(Gst.PadProbeType.BUFFER, self._on_buffer)

    def _on_buffer(self, pad: Gst.Pad, info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
        s = self.labels.pop(info.get_buffer().pts, None)
        if s is not None and s != self.last_label:  # any set re-renders the text: skip when unchanged
            self.last_label = s
            self.text.set_property("text", s)
        return Gst.PadProbeReturn.OK

    def run(self) -> None:
        duration = Gst.SECOND // self.fps
        for frame_no, running in enumerate(self.paced(1.0 / self.fps)):
            # The running time and the wall clock back to back: the strip encodes exactly this instant.
            millis = int(time.time() * 1000)
            picture = self.painter.background if self.frozen else self.painter.paint(millis, frame_no)
            buf = Gst.Buffer.new_wrapped(picture)
            buf.pts = running
            buf.duration = duration
            if len(self.labels) > 64:  # frames dropped before the overlay must not leak labels
                self.labels.clear()
            self.labels[running] = (
                GLib.markup_escape_text(self.name_text) if self.frozen else label(self.name_text, millis)
            )
            if not self.push(buf):
                break


class AudioProducer(_Producer):
    """Pushes a 400 Hz tone in 40 ms buffers into the audio appsrc of audio-video until the media goes away.

    Not audiotestsrc: that source answers seeking queries, which makes the whole media look seekable, and
    the seek the RTSP server then makes on PLAY fails on the video appsrc (the PLAY gets a 5xx).
    """

    RATE = 8000
    SAMPLES = 320  # 40 ms; 400 Hz has a 20-sample period, so every buffer is the same whole number of cycles

    def __init__(self, media: GstRtspServer.RTSPMedia, appsrc: Gst.Element) -> None:
        super().__init__(media, appsrc, "audio")
        tone = [round(6000 * math.sin(2 * math.pi * 400 * i / self.RATE)) for i in range(self.SAMPLES)]
        self.chunk = b"".join(v.to_bytes(2, "little", signed=True) for v in tone)

    def run(self) -> None:
        duration = Gst.SECOND * self.SAMPLES // self.RATE
        for running in self.paced(self.SAMPLES / self.RATE):
            buf = Gst.Buffer.new_wrapped(self.chunk)
            buf.pts = running
            buf.duration = duration
            if not self.push(buf):
                break


class SharedFactory(GstRtspServer.RTSPMediaFactory):
    """A shared media factory whose media key ignores the URL, so all servers and mounts share one media."""

    def do_gen_key(self, url: object) -> str:
        return "simulated-camera"


AUDIO_BRANCH = (
    "audiotestsrc is-live=true wave=sine freq=440 volume=0.2 "
    "! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay{n} pt=8"
)


def encoder_description(a: argparse.Namespace) -> str:
    """Encoder and payloader (named enc and pay0) of the kind's video codec."""
    gop = max(1, round(a.fps * a.keyframe_seconds))
    codec = kinds.video_codec(a.kind)
    if codec == "h265":
        # x265 ultrafast/zerolatency, one frame thread: about as cheap per camera as x264 ultrafast.
        return (
            f"x265enc name=enc speed-preset=ultrafast tune=zerolatency key-int-max={gop} bitrate={a.bitrate_kbps} "
            'option-string="frame-threads=1:pools=1:repeat-headers=1" '
            "! h265parse ! rtph265pay name=pay0 config-interval=1 pt=96"
        )
    if codec == "mjpeg":
        # Every JPEG is a keyframe; Motion-JPEG over RTP is static payload type 26 (RFC 2435).
        return "jpegenc name=enc quality=85 ! rtpjpegpay name=pay0 pt=26"
    return (
        f"x264enc name=enc speed-preset=ultrafast tune=zerolatency key-int-max={gop} bitrate={a.bitrate_kbps} "
        f"threads={a.threads} "
        "! h264parse ! rtph264pay name=pay0 config-interval=1 pt=96"
    )


def launch_line(a: argparse.Namespace) -> str:
    """The factory's pipeline description."""
    if a.kind == "audio-only":
        return f"( {AUDIO_BRANCH.format(n=0)} )"
    caps = f"video/x-raw,format=I420,width={a.width},height={a.height},framerate={a.fps}/1"
    # leaky appsrc with a 2-frame queue: if the encoder stalls, old frames go, never late bursts.
    video = (
        f'appsrc name=src is-live=true format=time do-timestamp=false caps="{caps}" '
        "max-buffers=2 leaky-type=downstream "
        "! textoverlay name=text valignment=top halignment=left line-alignment=left shaded-background=true "
        f'font-desc="Sans {max(10, a.height // 48)}" '
        f"! {encoder_description(a)}"
    )
    if a.kind == "audio-video":
        audio_caps = f"audio/x-raw,format=S16LE,layout=interleaved,rate={AudioProducer.RATE},channels=1"
        audio = (
            f'appsrc name=audiosrc is-live=true format=time do-timestamp=false caps="{audio_caps}" '
            "max-buffers=4 leaky-type=downstream ! alawenc ! rtppcmapay name=pay1 pt=8"
        )
        return f"( {video} {audio} )"
    return f"( {video} )"


def required_elements(kind: str) -> dict[str, str]:
    """GStreamer element -> Debian package for what the kind's pipeline uses."""
    needed = dict(BASE_ELEMENTS)
    codec = kinds.video_codec(kind)
    if codec is not None:
        needed |= VIDEO_ELEMENTS | CODEC_ELEMENTS[codec]
    if kind in ("audio-only", "audio-video"):
        needed |= AUDIO_ELEMENTS
    return needed


def stream_clock(kind: str) -> Gst.Clock | None:
    """The pipeline clock a kind needs, None for the default (the system clock, real time)."""
    rate = kinds.CLOCK_RATES.get(kind)
    if rate is not None:
        # A clock running at `rate` from now on: running time, PTS and RTP time all run at rate x real time.
        # The frames are still pushed at the real frame rate, so the sinks never wait and never fall behind.
        clock = Gst.SystemClock(clock_type=Gst.ClockType.MONOTONIC)
        now = clock.get_internal_time()
        clock.set_calibration(now, now, round(rate * 1000), 1000)
        return clock
    if kind == "rtcp-plus-1h":
        # NTP time of the RTCP sender reports comes from this clock (ntp-time-source=clock-time): the realtime
        # clock moved to the NTP epoch and one hour ahead. Rate 1, so the stream itself runs at real time.
        clock = Gst.SystemClock(clock_type=Gst.ClockType.REALTIME)
        now = clock.get_internal_time()
        clock.set_calibration(now, now + (NTP_UNIX_OFFSET_S + RTCP_AHEAD_S) * Gst.SECOND, 1, 1)
        return clock
    return None


# rtpbin ntp-time-source per kind: running-time makes the sender reports count from 0 (NTP 1900), clock-time
# takes the (shifted) pipeline clock of rtcp-plus-1h.
NTP_TIME_SOURCE = {"rtcp-1900": "running-time", "rtcp-plus-1h": "clock-time"}


def media_gtype(ntp_time_source: str) -> GObject.GType:
    """A GstRTSPMedia subclass whose rtpbin takes ntp_time_source (set before any RTP session exists)."""

    # Defined only once Gst is initialised: registering a subclass earlier trips on unregistered types.
    class KindMedia(GstRtspServer.RTSPMedia):
        def do_setup_rtpbin(self, rtpbin: Gst.Element) -> bool:
            rtpbin.set_property("ntp-time-source", ntp_time_source)
            return True

    return KindMedia.__gtype__


_NO_ZERO = bytes.maketrans(b"\x00", b"\x01")


def garbage_h264_payload(size: int) -> bytes:
    """size random bytes that no H.264 decoder accepts: one NAL unit whose forbidden_zero_bit is set.

    Pure noise is not enough: now and then it parses as a slice and a decoder conceals a grey frame out of
    it. With the forbidden bit set the depacketizer passes the NAL on (types 1..23 are single NAL units)
    and the decoder drops it; no zero bytes means no start code inside, so no hidden NAL either.
    """
    if size <= 0:
        return b""
    noise = os.urandom(size).translate(_NO_ZERO)
    return bytes([0x80 | (noise[0] & 0x60) | (1 + noise[0] % 23)]) + noise[1:]


def garble_payloads(pad: Gst.Pad) -> None:
    """Replace every RTP payload leaving pad (H.264) with garbage, keeping the RTP header valid."""
    state = threading.local()

    def garbled(buf: Gst.Buffer) -> Gst.Buffer:
        data = buf.extract_dup(0, buf.get_size())
        header = 12 + 4 * (data[0] & 0x0F)  # fixed header plus CSRCs
        if data[0] & 0x10 and len(data) >= header + 4:  # plus a header extension
            header += 4 + 4 * int.from_bytes(data[header + 2 : header + 4], "big")
        out = Gst.Buffer.new_wrapped(data[:header] + garbage_h264_payload(len(data) - header))
        out.pts, out.dts, out.duration = buf.pts, buf.dts, buf.duration
        return out

    def probe(pad: Gst.Pad, info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
        if getattr(state, "pushing", False):
            return Gst.PadProbeReturn.OK  # our own garbled copy on its way out
        if info.type & Gst.PadProbeType.BUFFER_LIST:
            lst = info.get_buffer_list()
            bufs = [lst.get(i) for i in range(lst.length())]
        else:
            bufs = [info.get_buffer()]
        # A buffer seen by Python is never writable (the binding holds a reference), so push garbled copies
        # and drop the original.
        state.pushing = True
        try:
            for buf in bufs:
                pad.push(garbled(buf))
        finally:
            state.pushing = False
        return Gst.PadProbeReturn.DROP

    pad.add_probe(Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST, probe)


class Simulator:
    """N RTSP servers (one per port) sharing one media factory, with optional Basic auth."""

    def __init__(self, a: argparse.Namespace) -> None:
        self.a = a
        self.painter = None if kinds.video_codec(a.kind) is None else Painter(a.width, a.height)
        self.factory = SharedFactory()
        self.factory.set_launch(launch_line(a))
        self.factory.set_shared(True)
        clock = stream_clock(a.kind)
        if clock is not None:
            self.factory.set_clock(clock)
        if a.kind in NTP_TIME_SOURCE:
            self.factory.set_media_gtype(media_gtype(NTP_TIME_SOURCE[a.kind]))
        self.factory.connect("media-configure", self._on_media_configure)
        self.producers: list[FrameProducer | AudioProducer] = []
        self.encoder: Gst.Element | None = None
        auth = None
        if a.user is not None:
            auth = GstRtspServer.RTSPAuth()
            token = GstRtspServer.RTSPToken()
            token.set_string("media.factory.role", "viewer")
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
            perms = GstRtspServer.RTSPPermissions()
            perms.add_permission_for_role("viewer", "media.factory.access", True)
            perms.add_permission_for_role("viewer", "media.factory.construct", True)
            self.factory.set_permissions(perms)
        self.servers: list[GstRtspServer.RTSPServer] = []
        self.listening: dict[int, GLib.Source] = {}  # index -> listening source
        for i in range(a.mounts):
            server = GstRtspServer.RTSPServer()
            server.set_address(a.address)
            server.set_service(str(a.port + i))
            if auth is not None:
                server.set_auth(auth)
            server.get_mount_points().add_factory(a.path, self.factory)
            server.connect("client-connected", self._on_client_connected)
            self.servers.append(server)

    def _on_client_connected(self, server: GstRtspServer.RTSPServer, client: GstRtspServer.RTSPClient) -> None:
        client.connect("play-request", self._on_play_request)

    def _on_play_request(self, client: GstRtspServer.RTSPClient, context: object) -> None:
        # Like most IP cameras, start a new viewer on a fresh keyframe instead of making it wait for
        # the next GOP; sent just after PLAY so the keyframe is not consumed before the viewer plays.
        GLib.timeout_add(100, self._force_keyframe)

    def _force_keyframe(self) -> bool:
        if self.encoder is not None:
            event = Gst.Event.new_custom(
                Gst.EventType.CUSTOM_UPSTREAM,
                Gst.Structure.new_from_string("GstForceKeyUnit, all-headers=(boolean)true"),
            )
            self.encoder.send_event(event)
        return False

    def _on_media_configure(self, factory: GstRtspServer.RTSPMediaFactory, media: GstRtspServer.RTSPMedia) -> None:
        bin_ = media.get_element()
        self.encoder = bin_.get_by_name("enc")
        if self.a.kind == "corrupt-rtp":
            garble_payloads(bin_.get_by_name("pay0").get_static_pad("src"))
        appsrc = bin_.get_by_name("src")
        if appsrc is None or self.painter is None:
            return
        producers: list[FrameProducer | AudioProducer] = [
            FrameProducer(
                media,
                appsrc,
                bin_.get_by_name("text"),
                self.painter,
                self.a.name,
                self.a.fps,
                frozen=self.a.kind in kinds.FROZEN_KINDS,
            )
        ]
        audiosrc = bin_.get_by_name("audiosrc")
        if audiosrc is not None:
            producers.append(AudioProducer(media, audiosrc))
        self.producers = [p for p in self.producers if p.is_alive()] + producers
        for producer in producers:
            producer.start()

    def url(self, index: int) -> str:
        """URL of the 1-based index-th port."""
        return f"rtsp://{self.a.address}:{self.a.port + index - 1}{self.a.path}"

    def open(self, index: int) -> None:
        """Start listening on the index-th port (1-based)."""
        if index in self.listening:
            return
        server = self.servers[index - 1]
        # Own socket and source (rather than server.attach) so the port can be closed again: a stopped
        # camera then refuses connections, like a camera that lost power.
        source = server.create_source(None)
        source.attach(None)
        self.listening[index] = source

    def close(self, index: int) -> None:
        """Stop listening on the index-th port and drop its clients."""
        entry = self.listening.pop(index, None)
        if entry is None:
            return
        entry.destroy()  # the source owns the listening GSocket: destroying it closes the port
        self.servers[index - 1].client_filter(lambda *_: GstRtspServer.RTSPFilterResult.REMOVE)

    def shutdown(self) -> None:
        """Close every port and stop producing frames."""
        for index in list(self.listening):
            self.close(index)
        for p in self.producers:
            p.stop_event.set()


def check_elements(kind: str) -> None:
    """Exit with a clear message when an element the kind needs is missing."""
    missing = {e: pkg for e, pkg in required_elements(kind).items() if Gst.ElementFactory.find(e) is None}
    if missing:
        pkgs = " ".join(sorted(set(missing.values())))
        print(f"UNAVAILABLE missing GStreamer elements {sorted(missing)}; install: {pkgs}", flush=True)
        sys.exit(UNAVAILABLE_EXIT)


def serve_socket_kind(a: argparse.Namespace) -> int:
    """random-bytes / hang: a bare TCP listener on --port that is no RTSP server at all."""
    listener = socket.create_server((a.address, a.port), reuse_port=False)
    stopping = threading.Event()

    def on_signal(*_: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(1.0)
            try:
                if a.kind == "random-bytes":
                    # Whatever the client says, answer 64 KiB of noise (no RTSP status line), then hang up.
                    for _ in range(16):
                        conn.sendall(os.urandom(4096))
                    conn.shutdown(socket.SHUT_WR)
                # hang (and random-bytes after its noise): read and ignore until the client gives up.
                while not stopping.is_set():
                    try:
                        if not conn.recv(4096):
                            return
                    except TimeoutError:
                        continue
            except OSError:
                return

    listener.settimeout(0.2)
    print(f"READY rtsp://{a.address}:{a.port}{a.path}", flush=True)
    with listener:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except InterruptedError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
    print("STOPPED", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    if a.kind in kinds.SOCKET_KINDS:
        return serve_socket_kind(a)
    Gst.init(None)
    check_elements(a.kind)
    sim = Simulator(a)
    loop = GLib.MainLoop()

    def quit_(*_: object) -> bool:
        loop.quit()
        return GLib.SOURCE_REMOVE

    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, quit_)

    if a.control_stdin:
        pending = bytearray()

        def on_stdin(fd: int, cond: GLib.IOCondition) -> bool:
            data = os.read(fd, 4096)
            if not data:  # EOF: the controlling parent is gone, so are we
                loop.quit()
                return GLib.SOURCE_REMOVE
            pending.extend(data)
            while b"\n" in pending:
                line, _, rest = bytes(pending).partition(b"\n")
                pending[:] = rest
                cmd = line.decode(errors="replace").split()
                if len(cmd) == 2 and cmd[0] in ("stop", "start") and cmd[1].isdigit():
                    index = int(cmd[1])
                    if 1 <= index <= a.mounts:
                        if cmd[0] == "stop":
                            sim.close(index)
                            print(f"STOPPED {index}", flush=True)
                        else:
                            sim.open(index)
                            print(f"STARTED {index}", flush=True)
                        continue
                print(f"ERROR bad command {line!r}", flush=True)
            return GLib.SOURCE_CONTINUE

        GLib.io_add_watch(
            sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP, on_stdin
        )

    try:
        for i in range(1, a.mounts + 1):
            sim.open(i)
    except GLib.Error as exc:
        print(f"ERROR cannot listen on {a.address}:{a.port}..{a.port + a.mounts - 1}: {exc.message}", flush=True)
        return 2
    extra = f" ports={a.port}-{a.port + a.mounts - 1}" if a.mounts > 1 else ""
    print(f"READY {sim.url(1)}{extra}", flush=True)
    loop.run()
    # A stuck pipeline must not keep a stopped camera alive: exit hard if the tidy shutdown hangs.
    watchdog = threading.Timer(3.0, lambda: os._exit(0))
    watchdog.daemon = True  # a non-daemon timer would itself hold the exit for 3 s
    watchdog.start()
    sim.shutdown()
    print("STOPPED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
