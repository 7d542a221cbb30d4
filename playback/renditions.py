"""H.264 renditions of segments a browser cannot play (H.265 without hardware, Motion-JPEG never through
MSE): made on request by ffmpeg, one per segment so they are cacheable and seekable, cached on disk.

The recorded files are never touched (they are the evidence); a rendition is a throw-away copy for the
screen. It keeps the segment's own timestamps (-copyts), so a playlist mixing renditions and original
segments stays continuous.
"""

import contextlib
import os
import threading
import time
from pathlib import Path

import imageio_ffmpeg
from django.conf import settings
from django.utils.translation import gettext as _

from birzai_vms.processes import ManagedProcess
from recordings.capture import storage
from recordings.models import Segment

# What every browser with MSE plays as recorded; other codecs get a rendition when the page asks.
BROWSER_CODECS = frozenset({"h264"})
KNOWN_CODECS = frozenset({"h264", "hevc", "mjpeg"})
TRANSCODE_TIMEOUT_S = 60.0
# How often the cache is trimmed at most: listing a large cache directory on every rendition is waste.
EVICT_INTERVAL_S = 30.0


class RenditionError(Exception):
    """The rendition could not be made; the message is safe to show."""


class FootageGone(RenditionError):
    """The segment's file is not on this server (deleted, moved or lost)."""


class Busy(RenditionError):
    """Every transcoding slot of this process stayed taken for the whole wait."""


class _Slots:
    """At most RENDITION_CONCURRENCY transcodes at once per process: each takes a CPU core."""

    def __init__(self) -> None:
        self.running = 0
        self._free = threading.Condition()

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._free:
            while self.running >= settings.RENDITION_CONCURRENCY:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._free.wait(left)
            self.running += 1
            return True

    def release(self) -> None:
        with self._free:
            self.running -= 1
            self._free.notify()


slots = _Slots()
transcodes = 0  # ffmpeg runs of this process (a cache hit runs none)
_keys_lock = threading.Lock()
_key_locks: dict[str, threading.Lock] = {}
_last_evicted = 0.0


def cache_path(segment: Segment) -> Path:
    # The hash in the name: a segment row that was replaced by another file never gets a stale copy.
    return settings.RENDITION_CACHE_DIR / f"{segment.pk}-{segment.sha256[:16]}.ts"


def rendition_file(segment: Segment) -> Path:
    """The H.264 MPEG-TS rendition of `segment`, from the cache or made now (Busy when no transcoding
    slot frees up within RENDITION_WAIT_SECONDS; FootageGone when the recorded file is not here)."""
    out = cache_path(segment)
    if _touch(out):
        return out
    source = storage.segment_file(segment.node, segment.path)
    if not source.is_file():
        raise FootageGone(_("This footage is no longer on this server."))
    # One transcode per segment: a second request for it waits for the first, then reads the cache.
    with _keys_lock:
        key_lock = _key_locks.setdefault(out.name, threading.Lock())
    try:
        with key_lock:
            if _touch(out):
                return out
            if not slots.acquire(settings.RENDITION_WAIT_SECONDS):
                raise Busy(_("The server is busy converting other video."))
            try:
                _transcode(source, out)
            finally:
                slots.release()
    finally:
        with _keys_lock:
            if not key_lock.locked():
                _key_locks.pop(out.name, None)
    _evict_old()
    return out


def _touch(path: Path) -> bool:
    """True when `path` is cached; its time is refreshed so that eviction removes the least used first."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    return True


def _transcode(source: Path, out: Path) -> None:
    global transcodes
    out.parent.mkdir(parents=True, exist_ok=True)
    # Its own name per process and thread: another web process may be making the same rendition.
    partial = out.with_name(f"{out.name}.{os.getpid()}-{threading.get_ident()}.part")
    argv = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-copyts",  # the segment's own timestamps: continuity with its neighbours in the playlist
        "-i",
        str(source),
        "-map",
        "0:v:0",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-pix_fmt",
        "yuv420p",
        "-bf",
        "0",
        "-muxdelay",
        "0",
        "-muxpreload",
        "0",
        "-f",
        "mpegts",
        str(partial),
    ]
    transcodes += 1
    process = ManagedProcess("rendition", argv, log_path=out.parent / "ffmpeg.log").start()
    code = process.wait(timeout=TRANSCODE_TIMEOUT_S)
    if code is None:
        process.stop()
    if code != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        raise RenditionError(_("This footage could not be converted for the browser."))
    partial.replace(out)  # atomic: a reader never sees half a rendition


def _evict_old() -> None:
    """Oldest-used first, until the cache is within RENDITION_CACHE_MAX_BYTES and nothing is older than
    RENDITION_CACHE_MAX_AGE_HOURS."""
    global _last_evicted
    now = time.time()
    if now - _last_evicted < EVICT_INTERVAL_S:
        return
    _last_evicted = now
    evict(now=now)


def evict(*, now: float | None = None) -> int:
    """Trim the cache now; returns how many renditions were removed."""
    now = time.time() if now is None else now
    oldest_allowed = now - settings.RENDITION_CACHE_MAX_AGE_HOURS * 3600
    files = []
    for entry in os.scandir(settings.RENDITION_CACHE_DIR) if settings.RENDITION_CACHE_DIR.is_dir() else []:
        with contextlib.suppress(FileNotFoundError):
            stat = entry.stat()
            if entry.name.endswith(".ts") and entry.is_file():
                files.append((stat.st_mtime, stat.st_size, Path(entry.path)))
            elif entry.name.endswith(".part") and stat.st_mtime < now - 2 * TRANSCODE_TIMEOUT_S:
                Path(entry.path).unlink(missing_ok=True)  # left by a process that died while transcoding
    files.sort()
    total = sum(size for _mtime, size, _path in files)
    removed = 0
    for mtime, size, path in files:
        if total <= settings.RENDITION_CACHE_MAX_BYTES and mtime >= oldest_allowed:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed += 1
    return removed
