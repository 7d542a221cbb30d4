"""Indexing segment files that are on disk but not in the index: a recorder catching up on its camera
before it records, and the reconciler finding files written while the database was away."""

import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Max

from recordings.models import Segment
from recordings.services import carve_gaps

from . import storage

log = logging.getLogger(__name__)


def index_file(*, camera_id: int, path: Path) -> Segment:
    """Index a segment file that has no row yet (written while the database was away, or cut short
    by a killed recorder). The start comes from the file name, the length from the file itself.

    Raises storage.UnreadableSegment, saying why, for a file that cannot be indexed."""
    start = storage.start_from_name(path.name)
    if start is None:
        raise storage.UnreadableSegment("not a segment file name")
    probed = storage.probe(path)
    if probed.duration.total_seconds() <= 0:
        raise storage.UnreadableSegment("no duration")
    relpath = str(path.relative_to(settings.RECORDINGS_ROOT))
    segment = Segment(
        camera_id=camera_id,
        start=start,
        end=start + probed.duration,
        bytes=path.stat().st_size,
        sha256=storage.sha256_of(path),
        path=relpath,
        node=settings.NODE_NAME,
        codec=probed.codec,
        width=probed.width,
        height=probed.height,
    )
    Segment.objects.bulk_create([segment], ignore_conflicts=True)
    # Indexed late (its node died writing it): the gap written meanwhile must not cover it.
    carve_gaps(camera_id=camera_id, start=segment.start, end=segment.end)
    return segment


def catch_up_camera(*, camera_id: int) -> datetime | None:
    """Index this camera's files that are on disk but not in the index; return where recording ended.

    Only the holder of the camera's lease calls this, so no file is still being written."""
    last_end = Segment.objects.filter(camera_id=camera_id).aggregate(end=Max("end"))["end"]
    files = storage.segment_files(camera_id, since=last_end)
    if files:
        known = set(
            Segment.objects.filter(
                camera_id=camera_id,
                node=settings.NODE_NAME,
                path__in=[str(p.relative_to(settings.RECORDINGS_ROOT)) for p in files],
            ).values_list("path", flat=True)
        )
        for path in files:
            if str(path.relative_to(settings.RECORDINGS_ROOT)) in known:
                continue
            try:
                segment = index_file(camera_id=camera_id, path=path)
            except storage.UnreadableSegment as exc:
                # The reconciler quarantines it; the recorder goes on.
                log.warning("segment %s stays unindexed: %s", path.name, exc)
                continue
            if last_end is None or segment.end > last_end:
                last_end = segment.end
    return last_end
