"""Prometheus metrics, computed from the database and the disk at each scrape (no state in the web process)."""

import ipaddress
import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.utils import timezone
from prometheus_client import CollectorRegistry, Gauge, generate_latest

from alarms.models import Alarm
from cameras.choices import CameraState
from cameras.models import Camera, CameraStatus
from incidents.choices import IncidentKind
from incidents.models import Incident
from recordings.models import Segment
from retention.storage import disk

BYTES_WINDOW = timedelta(hours=1)
LAG_WINDOW = timedelta(days=1)


def allowed(*, remote_addr: str, authorization: str) -> bool:
    """A scrape from an allowed network, or one bearing METRICS_TOKEN (when set)."""
    token = settings.METRICS_TOKEN
    if token and secrets.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


def render() -> bytes:
    registry = CollectorRegistry()
    now = timezone.now()

    cameras = Gauge("vms_cameras", "Cameras by effective state.", ["state"], registry=registry)
    counts = dict.fromkeys(CameraState.values, 0)
    # The one status rule (CameraStatus.effective_state): a silent recorder is offline, not recording, and a
    # camera no recorder ever reported on is judged as cameras/events.py does, by an empty status.
    for camera in Camera.objects.select_related("status"):
        status = getattr(camera, "status", None) or CameraStatus(camera=camera, heartbeat_at=None)
        state, _reason = status.effective_state(now)
        counts[state] += 1
    for state, count in counts.items():
        cameras.labels(state=state).set(count)

    lag = Gauge(
        "vms_indexing_lag_seconds",
        "Seconds since the newest indexed segment's end, the largest over enabled cameras with footage.",
        registry=registry,
    )
    # Bounded by start, so that a scrape reads the last days' partitions, not the whole index: a camera whose
    # newest segment is older than LAG_WINDOW counts as LAG_WINDOW behind.
    footage = Segment.objects.filter(
        camera__enabled=True, camera__decommissioned_at__isnull=True, start__gte=now - LAG_WINDOW
    ).values("camera")
    ends = {row["camera"]: row["newest"] for row in footage.annotate(newest=Max("end")).values("camera", "newest")}
    with_footage = Camera.objects.filter(enabled=True, decommissioned_at__isnull=True, segments__isnull=False)
    silent = with_footage.exclude(pk__in=ends.keys()).exists()
    lags = [(now - end).total_seconds() for end in ends.values()] + [LAG_WINDOW.total_seconds()] * silent
    lag.set(max(lags, default=0.0))

    written = Gauge("vms_segment_bytes_last_hour", "Bytes of segments that ended in the last hour.", registry=registry)
    # A segment lasts at most a minute; the start bound keeps the query on the newest partitions.
    recent = Segment.objects.filter(start__gt=now - BYTES_WINDOW - timedelta(minutes=5), end__gt=now - BYTES_WINDOW)
    written.set(recent.aggregate(b=Sum("bytes"))["b"] or 0)

    state = disk()
    Gauge("vms_recordings_free_bytes", "Free bytes on the recordings disk.", registry=registry).set(state.free)
    Gauge("vms_recordings_watermark_bytes", "The storage watermark.", registry=registry).set(state.watermark)

    alarms = Gauge("vms_open_alarms", "Open alarms by kind.", ["kind"], registry=registry)
    open_by_kind = dict(
        Alarm.objects.filter(ended_at__isnull=True).values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    for kind in Alarm._meta.get_field("kind").choices:
        alarms.labels(kind=kind[0]).set(open_by_kind.get(kind[0], 0))

    incidents = Gauge("vms_open_incidents", "Open camera incidents by kind.", ["kind"], registry=registry)
    open_incidents = dict(Incident.objects.open().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    for kind in IncidentKind.values:
        incidents.labels(kind=kind).set(open_incidents.get(kind, 0))
    return generate_latest(registry)
