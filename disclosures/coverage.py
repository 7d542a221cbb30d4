"""What exists of each camera's footage in a range: recorded time, gaps with their causes, deleted ranges.

Shown on the request form before submitting and on the review page, and the ground for refusing a camera
whose footage in the range is gone."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q

from cameras.models import Camera
from recordings.models import Gap, Segment
from retention.models import DeletedRange


@dataclass
class Stretch:
    """A piece of the range: a gap or a deleted range, with why."""

    start: datetime
    end: datetime
    why: str
    when: datetime | None = None  # when it was deleted


@dataclass
class CameraCoverage:
    camera: Camera
    recorded: timedelta = timedelta(0)
    gaps: list[Stretch] = field(default_factory=list)
    deleted: list[Stretch] = field(default_factory=list)

    @property
    def nothing_left(self) -> bool:
        return self.recorded <= timedelta(0)

    def as_json(self) -> dict:
        def stretch(s: Stretch) -> dict:
            return {
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "why": s.why,
                **({"deleted_at": s.when.isoformat()} if s.when else {}),
            }

        return {
            "camera": self.camera.pk,
            "name": self.camera.name,
            "recorded_seconds": round(self.recorded.total_seconds(), 1),
            "gaps": [stretch(g) for g in self.gaps],
            "deleted": [stretch(d) for d in self.deleted],
        }


def _clip(start: datetime, end: datetime, low: datetime, high: datetime) -> timedelta:
    return max(timedelta(0), min(end, high) - max(start, low))


def coverage(cameras: list[Camera], start: datetime, end: datetime) -> list[CameraCoverage]:
    """Per camera (in the given order), what the range holds; three queries whatever the number of cameras."""
    found = {camera.pk: CameraCoverage(camera) for camera in cameras}
    ids = list(found)
    for camera_id, s, e in (
        Segment.objects.filter(camera_id__in=ids).overlapping(start, end).values_list("camera_id", "start", "end")
    ):
        found[camera_id].recorded += _clip(s, e, start, end)
    for gap in Gap.objects.filter(camera_id__in=ids).overlapping(start, end).order_by("start"):
        found[gap.camera_id].gaps.append(Stretch(max(gap.start, start), min(gap.end, end), gap.get_cause_display()))
    deleted = DeletedRange.objects.filter(Q(camera_id__in=ids), start__lt=end, end__gt=start).order_by("start")
    for d in deleted:
        found[d.camera_id].deleted.append(
            Stretch(max(d.start, start), min(d.end, end), d.get_reason_display(), d.deleted_at)
        )
    return [found[camera.pk] for camera in cameras]
