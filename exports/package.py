"""Building an export's package: stream-copied video per camera, a signed manifest, SHA256SUMS, the chain
of custody and a printable summary, zipped. Built in a temporary folder and renamed into place, so that a
build interrupted at any point leaves nothing that looks finished and can simply run again."""

import hashlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
import zipfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from birzai_vms import keys, localtime
from recordings.choices import SegmentStatus
from recordings.models import Segment

from . import burn_in, manifest, summary, video
from .choices import ExportState
from .events import send_progress
from .models import Export, ExportItem
from .paths import export_dir
from .states import finished

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SUMS = "SHA256SUMS"
PUBLIC_KEY = "public_key.pem"
CUSTODY = "custody.json"
# Files a package always has; verification names any that is missing.
REQUIRED = (MANIFEST, SIGNATURE, SUMS, PUBLIC_KEY, CUSTODY)
PROGRESS_INTERVAL_S = 0.5
CHUNK = 1 << 20
# Large reads for the videos: fewer calls, and hashlib and zlib release the GIL on them.
STORE_CHUNK = 8 << 20


class Superseded(Exception):
    """Another run took the export over (this one was presumed dead): stop without touching the row."""


class _Run:
    """This build's claim on the row: progress and heartbeat written only while the claim holds. A thread
    touches the heartbeat between progress updates too (a long single step must not look like a dead worker)."""

    def __init__(self, export: Export, attempt: int) -> None:
        self.export = export
        self.attempt = attempt
        self._last = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"export-{export.pk}-heartbeat", daemon=True)

    def __enter__(self) -> "_Run":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _mine(self) -> Any:
        return Export.objects.filter(pk=self.export.pk, state=ExportState.RUNNING, attempts=self.attempt)

    def _beat(self) -> None:
        # Best effort on its own connection: losing the claim is noticed by the next progress update.
        interval = settings.EXPORT_STALE_SECONDS / 4
        try:
            while not self._stop.wait(interval):
                self._mine().update(heartbeat_at=timezone.now())
        finally:
            connection.close()

    def progress(self, fraction: float, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        fraction = min(max(fraction, 0.0), 0.99)
        if not self._mine().update(progress=fraction, heartbeat_at=timezone.now()):
            raise Superseded
        self.export.progress = fraction
        self.export.state = ExportState.RUNNING
        send_progress(self.export)


@dataclass
class _Built:
    item: ExportItem
    result: video.CopyResult
    file_name: str
    viewing_copy: str | None


def build(export_id: int, attempt: int) -> None:
    """Build the package of an export this task has claimed (attempt `attempt`)."""
    export = Export.objects.select_related("created_by").get(pk=export_id)
    root = export_dir(export_id)
    root.mkdir(parents=True, exist_ok=True)
    _remove_older_builds(root, attempt)
    workdir = root / f".build-{attempt}-{uuid.uuid4().hex[:8]}"
    workdir.mkdir()
    try:
        # A worker has no user's language: messages (an error shown on the export) are in the site's.
        with _Run(export, attempt) as run, translation.override(settings.LANGUAGE_CODE):
            name, size, sha = _build_into(export, run, workdir)
            with transaction.atomic():
                # Renamed into place under the row's lock, only while this run still holds the claim: a run
                # presumed dead and overtaken never replaces the package the row describes.
                if not list(run._mine().select_for_update().values_list("pk", flat=True)):
                    raise Superseded
                os.replace(workdir / "package.zip", root / name)
                done = run._mine().update(
                    state=ExportState.READY,
                    progress=1.0,
                    finished_at=timezone.now(),
                    package_name=name,
                    package_bytes=size,
                    package_sha256=sha,
                )
                if not done:
                    raise Superseded
                export.refresh_from_db()
                finished(export)
    except Superseded:
        log.warning("export %s: attempt %s was taken over by another run", export_id, attempt)
    except video.VideoError as exc:
        with translation.override(settings.LANGUAGE_CODE):
            _fail(export, attempt, _("The export failed: %(reason)s.") % {"reason": exc})
    except Exception:
        log.exception("export %s failed", export_id)
        with translation.override(settings.LANGUAGE_CODE):
            _fail(export, attempt, _("The export failed because of an internal error; it can be retried."))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _fail(export: Export, attempt: int, error: str) -> None:
    with transaction.atomic():
        if Export.objects.filter(pk=export.pk, state=ExportState.RUNNING, attempts=attempt).update(
            state=ExportState.FAILED, error=error, finished_at=timezone.now()
        ):
            export.refresh_from_db()
            finished(export)


def _remove_older_builds(root: Path, attempt: int) -> None:
    for old in root.glob(".build-*"):
        try:
            older = int(old.name.split("-")[1]) < attempt
        except (IndexError, ValueError):
            older = True
        if older:
            shutil.rmtree(old, ignore_errors=True)


def _segments(item: ExportItem) -> list[Segment]:
    return list(
        Segment.objects.of_camera(item.camera_id)
        .overlapping(item.requested_start, item.requested_end)
        .exclude(status=SegmentStatus.MISSING)
        .order_by("start")
    )


def _file_stem(item: ExportItem, start: Any) -> str:
    return f"{item.camera_id}-{slugify(item.camera.name) or 'camera'}-{localtime.local(start):%Y%m%d-%H%M%S}"


def _build_into(export: Export, run: _Run, workdir: Path) -> tuple[str, int, str]:
    items = list(export.items.select_related("camera__eldership").order_by("pk"))
    plans = [(item, _segments(item)) for item in items]
    total = sum(len(segments) for _item, segments in plans) or 1
    # Copying (straight into the zip) is most of the work; the viewing copies (a re-encode) and the rest share
    # what is left.
    weight = {"copy": 0.6 if export.burn_in else 0.95, "burn": 0.35 if export.burn_in else 0.0}
    for item, segments in plans:
        if not segments:
            raise video.VideoError(_("camera %(camera)s has no footage in the range") % {"camera": item.camera.name})
    name = f"birzai-vms-{export.kind}-{export.pk}-{localtime.local(export.created_at):%Y%m%d-%H%M%S}.zip"
    built: list[_Built] = []
    # The source files are re-hashed by the copy, from the bytes it demuxes (video.copy_range).
    source_hashes: dict[int, str] = {}
    files: dict[str, str] = {}
    sizes: dict[str, int] = {}
    # The zip is written as a stream through a hashing writer (the package's SHA-256 needs no second read);
    # each MP4 is muxed straight into its zip entry, hashed on the way (see _VideoEntry): every video byte
    # is written once and never read back.
    with (
        (workdir / "package.zip").open("wb") as raw,
        _BackgroundHash(f"export-{export.pk}-package-hash") as package_hash,
    ):
        out = _HashingWriter(raw, package_hash)
        with zipfile.ZipFile(out, "w") as archive:
            done = 0
            for item, segments in plans:
                entry = _VideoEntry(archive, workdir, item, segments[0].codec, keep_file=export.burn_in)

                def copied(n: int, base: int = done) -> None:
                    run.progress(weight["copy"] * (base + n) / total)

                with entry:
                    result = video.copy_range(
                        segments, start=item.requested_start, end=item.requested_end, out=entry.open, on_segment=copied
                    )
                    entry.finish()
                done += len(segments)
                source_hashes |= result.source_sha256
                files[entry.name], sizes[entry.name] = entry.sha256, entry.bytes
                built.append(_Built(item, result, entry.name, None))
            if export.burn_in:
                (workdir / "viewing-copy").mkdir()
                for n, b in enumerate(built):
                    share = weight["copy"] + weight["burn"] * n / len(built)
                    copy = f"viewing-copy/{Path(b.file_name).stem}-NOT-EVIDENCE.mp4"
                    burn_in.viewing_copy(
                        workdir / b.file_name,
                        workdir / copy,
                        camera_name=b.item.camera.name,
                        start=b.result.actual_start,
                        heartbeat=lambda share=share: run.progress(share),
                    )
                    (workdir / b.file_name).unlink()
                    files[copy], sizes[copy] = _store(archive, workdir / copy, copy, package_hash.pool)
                    (workdir / copy).unlink()
                    b.viewing_copy = copy
            run.progress(weight["copy"] + weight["burn"], force=True)
            media = [b.file_name for b in built] + [b.viewing_copy for b in built if b.viewing_copy]
            for b in built:
                b.item.actual_start, b.item.actual_end = b.result.actual_start, b.result.actual_end
                b.item.file_name, b.item.sha256 = b.file_name, files[b.file_name]
                b.item.bytes = sizes[b.file_name]
            now = timezone.now()
            custody = _custody(export, now)
            _write(workdir / CUSTODY, _json(custody))
            files[CUSTODY] = _sha256(workdir / CUSTODY)
            with translation.override("en"):  # the manifest's texts (gap causes) are in English
                document = _manifest(export, built, source_hashes, now, files)
            small = [CUSTODY]
            for language in ("lt", "en"):
                html, pdf = summary.render(document, custody, language=language)
                for n, data in ((f"summary.{language}.html", html.encode()), (f"summary.{language}.pdf", pdf)):
                    _write(workdir / n, data)
                    small.append(n)
            # The summaries are made from the manifest, so not listed in it: SHA256SUMS covers them.
            manifest_bytes = _json(document)
            _write(workdir / MANIFEST, manifest_bytes)
            _write(workdir / SIGNATURE, keys.private_key().sign(manifest_bytes))
            _write(workdir / PUBLIC_KEY, keys.public_key_pem().encode())
            small += [MANIFEST, SIGNATURE, PUBLIC_KEY]
            sums = {n: files[n] for n in media} | {n: _sha256(workdir / n) for n in small}
            for n in small:
                archive.write(workdir / n, n, compress_type=zipfile.ZIP_DEFLATED)
            archive.writestr(
                SUMS, "".join(f"{sums[n]}  {n}\n" for n in sorted(sums)), compress_type=zipfile.ZIP_DEFLATED
            )
        digest = package_hash.hexdigest()
    for b in built:
        b.item.save(update_fields=["actual_start", "actual_end", "file_name", "sha256", "bytes"])
    return name, out.bytes, digest


class _BackgroundHash:
    """A SHA-256 computed on a thread of its own, in the order the chunks come, at most `depth` chunks
    behind the writer (hashlib releases the GIL on large chunks: the hash runs on the other core)."""

    def __init__(self, thread_name: str, depth: int = 16) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._digest = hashlib.sha256()
        self._queued: deque[Future[None]] = deque()
        self._depth = depth

    def __enter__(self) -> "_BackgroundHash":
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def update(self, data: bytes) -> None:
        """Queue `data` (bytes, never a view of a buffer that is reused) to be hashed."""
        if len(self._queued) >= self._depth:
            self._queued.popleft().result()
        self._queued.append(self.pool.submit(self._digest.update, data))

    def hexdigest(self) -> str:
        """The SHA-256 of everything queued (waits for the thread to catch up)."""
        while self._queued:
            self._queued.popleft().result()
        return self._digest.hexdigest()


class _HashingWriter:
    """A write-only stream that hashes what passes through; having no seek, zipfile writes it as a stream
    (sizes after each member's data), so nothing is rewritten after it was hashed."""

    def __init__(self, raw: Any, digest: _BackgroundHash) -> None:
        self.raw = raw
        self._digest = digest
        self.bytes = 0

    def write(self, data: bytes) -> int:
        data = bytes(data)  # zipfile passes bytes; a view of a buffer reused later would hash the wrong data
        self._digest.update(data)
        self.raw.write(data)
        self.bytes += len(data)
        return len(data)

    def tell(self) -> int:
        return self.bytes

    def flush(self) -> None:
        self.raw.flush()


class _VideoEntry:
    """A camera's video as it is muxed. MP4 (fragmented, written front to back) goes straight into its zip
    entry (stored: video does not compress; zipfile computes the CRC-32 as it goes) and is hashed on a
    thread of its own, so that the video is written once and never read back. Matroska (Motion-JPEG) is
    written to a file first, because its muxer seeks back to put in the index and duration, and is stored
    once finished. The entry is opened when the copy has found the video's first instant, which its name
    carries. With `keep_file` the video is also left as a file in the build folder (the viewing copy is
    re-encoded from it)."""

    def __init__(self, archive: zipfile.ZipFile, workdir: Path, item: ExportItem, codec: str, *, keep_file: bool):
        self._archive = archive
        self._workdir = workdir
        self._item = item
        self._fmt, self._suffix = video.output_format(codec)
        self._keep_file = keep_file
        self._digest = _BackgroundHash(f"export-item-{item.pk}-hash")
        self._member: Any = None
        self._copy: Any = None
        self._file: Path | None = None
        self.name = ""
        self.bytes = 0
        self.sha256 = ""

    def __enter__(self) -> "_VideoEntry":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        self._digest.__exit__()
        if self._copy is not None:
            self._copy.close()

    def open(self, actual_start: Any) -> "_VideoEntry | Path":
        """Where the video that starts at `actual_start` goes (video.copy_range's `out`): this entry, or
        for Matroska a file in the build folder."""
        self.name = f"video/{_file_stem(self._item, actual_start)}{self._suffix}"
        if self._keep_file or self._fmt != "mp4":
            (self._workdir / self.name).parent.mkdir(parents=True, exist_ok=True)
        if self._fmt != "mp4":
            self._file = self._workdir / self.name
            return self._file
        info = zipfile.ZipInfo(self.name, date_time=localtime.local(timezone.now()).timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--, once unzipped
        # Zip64 always: the size is known only at the end (the sizes follow the data, in 64 bits).
        self._member = self._archive.open(info, "w", force_zip64=True)
        if self._keep_file:
            self._copy = (self._workdir / self.name).open("wb")
        return self

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        self._member.write(data)
        if self._copy is not None:
            self._copy.write(data)
        self.bytes += len(data)
        return len(data)

    def close(self) -> None:
        """Called by the muxer when the video is complete (and again on the way out: then a no-op)."""
        if self._member is not None:
            member, self._member = self._member, None
            member.close()

    def finish(self) -> None:
        """The video is complete: close the entry (its CRC-32 and sizes written), or store the file, and take
        its SHA-256."""
        self.close()
        if self._copy is not None:
            self._copy.close()
            self._copy = None
        if self._file is not None:
            self.sha256, self.bytes = _store(self._archive, self._file, self.name, self._digest.pool)
            if not self._keep_file:
                self._file.unlink()
        else:
            self.sha256 = self._digest.hexdigest()


def _store(archive: zipfile.ZipFile, path: Path, name: str, hasher: ThreadPoolExecutor) -> tuple[str, int]:
    """Copy a file (a viewing copy, a Matroska video) into the zip uncompressed (video does not compress), read
    once: its own SHA-256 is computed on the `hasher` thread while this one writes the chunk. Its SHA-256 and
    size."""
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = zipfile.ZIP_STORED
    digest = hashlib.sha256()
    hashing: Future[None] | None = None
    with path.open("rb") as source, archive.open(info, "w", force_zip64=info.file_size > 1 << 31) as target:
        while chunk := source.read(STORE_CHUNK):
            if hashing is not None:
                hashing.result()  # in order, and never more than one chunk ahead
            hashing = hasher.submit(digest.update, chunk)
            target.write(chunk)
        if hashing is not None:
            hashing.result()
    return digest.hexdigest(), info.file_size


def _manifest(
    export: Export, built: list[_Built], hashes: dict[int, str], now: Any, files: dict[str, str]
) -> dict[str, Any]:
    cameras = []
    for b in built:
        item, result = b.item, b.result
        cameras.append(
            {
                "camera": manifest.camera_block(item.camera),
                "file": b.file_name,
                "sha256": files[b.file_name],
                "bytes": (item.bytes),
                "codec": result.segments[0].codec,
                "container": video.output_format(result.segments[0].codec)[0],
                "packets": result.packets,
                "requested": manifest.time_range(item.requested_start, item.requested_end),
                "actual": manifest.time_range(result.actual_start, result.actual_end),
                # Positive: the video starts this long before the requested instant (at the keyframe before it).
                "starts_before_requested_seconds": round(
                    (item.requested_start - result.actual_start).total_seconds(), 3
                ),
                "gaps": manifest.gaps_in(item.camera, item.requested_start, item.requested_end),
                "segments": manifest.segments_block(result.segments, hashes),
                "viewing_copy": (
                    {"file": b.viewing_copy, "note": "re-encoded with the local time burned in; not evidence"}
                    if b.viewing_copy
                    else None
                ),
            }
        )
    problems = [
        f"{s['file']}: the file's SHA-256 differs from the one recorded when it was indexed"
        for c in cameras
        for s in c["segments"]
        if not s["sha256_matches_file"]
    ]
    return {
        "format": manifest.FORMAT,
        "export": {
            "id": export.pk,
            "kind": export.kind,
            "created_at": manifest.instant(export.created_at),
            "created_by": export.created_by.get_username(),
            "built_at": manifest.instant(now),
            "attempt": export.attempts,
        },
        "request": export.evidence.get("request"),
        "time_zone": str(localtime.VILNIUS),
        "software": manifest.software_version(),
        "installation": {
            "site_url": getattr(settings, "SITE_URL", ""),
            "public_key_sha256": manifest.public_key_fingerprint(),
            "key_id": keys.key_id(),
        },
        "cameras": cameras,
        "files": dict(sorted(files.items())),
        "problems": problems,
    }


def _custody(export: Export, now: Any) -> dict[str, Any]:
    events = list(export.evidence.get("custody") or [])
    events.append(
        {
            "event": "exported",
            "at": now.astimezone(UTC).isoformat(),
            "user": export.created_by.get_username(),
            "from": "",
            "detail": f"package built by {manifest.software_version()} (export {export.pk}, attempt {export.attempts})",
        }
    )
    return {"export": export.pk, "events": events}


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
