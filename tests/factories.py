"""factory-boy factories for the models."""

from datetime import UTC, datetime, timedelta

import factory

from alarms.choices import AlarmKind, Severity
from alarms.models import Alarm
from cameras.models import Camera
from eldership.models import Eldership
from recordings.models import Segment
from retention.choices import DeletionReason
from retention.models import DeletedRange

_WHEN = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


class EldershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Eldership
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Eldership {n}")
    code = factory.Sequence(lambda n: f"eldership-{n}")
    centre_latitude = "56.200000"
    centre_longitude = "24.750000"


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    eldership = factory.SubFactory(EldershipFactory)
    name = factory.Sequence(lambda n: f"Camera {n}")
    place = "Bus stop"
    rtsp_url = factory.Sequence(lambda n: f"rtsp://127.0.0.1:{20000 + n}/live")


class SegmentFactory(factory.django.DjangoModelFactory):
    """An index row of a 4 s segment (no file: tests that need one record real video)."""

    class Meta:
        model = Segment

    camera = factory.SubFactory(CameraFactory)
    start = factory.Sequence(lambda n: datetime(2026, 11, 27, 8, 0, tzinfo=UTC) + timedelta(seconds=4 * n))
    end = factory.LazyAttribute(lambda s: s.start + timedelta(seconds=4))
    bytes = 1000
    sha256 = "0" * 64
    path = factory.LazyAttribute(lambda s: f"{s.camera.pk}/{s.start:%Y/%m/%d/%H}/{s.start:%Y%m%dT%H%M%S.%f}Z.ts")
    node = "test-node"
    codec = "h264"
    width = 1280
    height = 720


class DeletedRangeFactory(factory.django.DjangoModelFactory):
    """A minute of a camera's footage deleted by retention."""

    class Meta:
        model = DeletedRange

    camera = factory.SubFactory(CameraFactory)
    start = _WHEN
    end = factory.LazyAttribute(lambda r: r.start + timedelta(minutes=1))
    segment_count = 15
    bytes = 1000
    reason = DeletionReason.RETENTION
    deleted_at = factory.LazyAttribute(lambda r: r.end)


class AlarmFactory(factory.django.DjangoModelFactory):
    """An open integrity warning of a camera."""

    class Meta:
        model = Alarm

    kind = AlarmKind.INTEGRITY
    camera = factory.SubFactory(CameraFactory)
    severity = Severity.WARNING
    params = factory.LazyFunction(lambda: {"path": "x"})
    started_at = _WHEN
    updated_at = factory.LazyAttribute(lambda a: a.started_at)
