"""Keeping the index consistent: a gap never covers time that a segment holds.

A segment can reach the index after the gap around it was written: the one a capture node was writing when
it died is indexed only when that node returns (its reconciler), long after the node that took the camera
over wrote the gap from the last segment it knew of. That recorded time is taken out of the gap here."""

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction

from .models import Gap, Segment
from .querysets import CONTIGUOUS, LONGEST_SEGMENT


def carve_gaps(*, camera_id: int, start: datetime, end: datetime) -> int:
    """Take [start, end), recorded time, out of the camera's gaps: a gap inside it is deleted, one over an
    edge is shortened, one around it is split in two; every piece keeps its cause and detail. A piece no
    longer than CONTIGUOUS is no gap (the recorder writes none that short). Returns the gaps changed."""
    changed = 0
    with transaction.atomic():
        gaps = Gap.objects.select_for_update().filter(camera_id=camera_id).overlapping(start, end).order_by("start")
        for gap in list(gaps):
            changed += 1
            head = (gap.start, start) if start - gap.start > CONTIGUOUS else None
            tail = (end, gap.end) if gap.end - end > CONTIGUOUS else None
            if head is None and tail is None:
                gap.delete()
                continue
            first, *rest = [piece for piece in (head, tail) if piece is not None]
            if first != (gap.start, gap.end):
                _move(gap, first)
            for piece_start, piece_end in rest:
                _add(gap, piece_start, piece_end)
    return changed


def _move(gap: Gap, piece: tuple[datetime, datetime]) -> None:
    gap.start, gap.end = piece
    try:
        with transaction.atomic():
            gap.save(update_fields=["start", "end"])
    except IntegrityError:
        gap.delete()  # another gap of the camera starts there already and covers it


def _add(gap: Gap, start: datetime, end: datetime) -> None:
    Gap.objects.bulk_create(
        [Gap(camera_id=gap.camera_id, start=start, end=end, cause=gap.cause, detail=gap.detail)],
        ignore_conflicts=True,
    )


def carve_recorded_time(gaps: Iterable[Gap]) -> int:
    """Take out of these gaps (just written) the time that segments already in the index hold: the gap
    a recorder writes from the last segment it knew of may cover one indexed late meanwhile."""
    changed = 0
    for gap in gaps:
        recorded = (
            Segment.objects.filter(camera_id=gap.camera_id, start__gte=gap.start - LONGEST_SEGMENT)
            .overlapping(gap.start, gap.end)
            .values_list("start", "end")
        )
        for start, end in list(recorded):
            changed += carve_gaps(camera_id=gap.camera_id, start=start, end=end)
    return changed
