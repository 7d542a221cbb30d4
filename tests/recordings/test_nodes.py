"""Two capture nodes sharing PostgreSQL and Redis, each with its own recording root: cameras are spread
over both; SIGKILL of one moves its cameras to the other within 15 s with the hole a gap that says why,
nothing is recorded twice, and footage of both nodes plays through one web server."""

from datetime import timedelta
from pathlib import Path

import av
import pytest
from django.utils import timezone

from accounts.roles import OPERATOR
from exports.video import copy_range
from recordings.capture import lease, nodes, storage
from recordings.choices import GapCause
from recordings.models import Gap, Segment
from simulator.fleet import SharedEncoderCameras, free_port_range
from tests.factories import CameraFactory, EldershipFactory
from tests.recordings.footage import assert_segment_is_sound, holes, recorded_seconds, segments_of
from tests.support.auth import make_user
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow
CAMERAS = 4
FAILOVER_S = 15


@pytest.fixture
def shared_encoder(tmp_path: Path):
    cameras = SharedEncoderCameras(
        CAMERAS, free_port_range(CAMERAS), width=640, height=360, fps=10, log_path=tmp_path / "simulator.log"
    )
    cameras.start()
    try:
        yield cameras
    finally:
        cameras.stop()


def test_two_nodes_share_the_cameras_and_one_takes_over_when_the_other_is_killed(
    capture_stack, shared_encoder, tmp_path, settings, client
):
    roots = {name: tmp_path / name for name in ("node-a", "node-b")}
    # The web server (this test's client) sees each node's root as an NFS mount would show it.
    settings.RECORDINGS_ROOTS = roots
    workers = {
        name: capture_stack.capture_worker(name, env={"NODE_NAME": name, "RECORDINGS_ROOT": str(root)})
        for name, root in roots.items()
    }
    wait_for(
        lambda: {p.node for p in nodes.live_processes(redis_client=lease.client())} == set(roots),
        timeout=20,
        what="both nodes registered",
    )
    eldership = EldershipFactory()
    cameras = [CameraFactory(eldership=eldership, rtsp_url=url) for url in shared_encoder.urls]
    capture_stack.dispatcher()

    def node_of(camera) -> str | None:
        holder = lease.holder_of(camera.pk)
        return holder.split(":")[0] if holder else None

    wait_for(lambda: all(node_of(c) for c in cameras), timeout=60, what="every camera leased")
    placed = {camera.pk: node_of(camera) for camera in cameras}
    assert sorted(placed.values()) == ["node-a", "node-a", "node-b", "node-b"], placed  # spread, not first come
    wait_for(lambda: all(recorded_seconds(c) >= 4 for c in cameras), timeout=60, what="4 s of every camera")
    for camera in cameras:
        segment = Segment.objects.filter(camera=camera).first()
        assert segment.node == placed[camera.pk]
        assert (roots[segment.node] / segment.path).is_file()

    workers["node-a"].kill()  # SIGKILL: no warm shutdown, no lease released
    killed_at = timezone.now()
    moved = [c for c in cameras if placed[c.pk] == "node-a"]
    for camera in moved:
        after = wait_for(
            lambda c=camera: Segment.objects.filter(camera=c, node="node-b", start__gt=killed_at).first(),
            timeout=40,
            what=f"camera {camera.pk} recording on node-b",
        )
        assert after.start - killed_at <= timedelta(seconds=FAILOVER_S), after.start - killed_at
        last_on_a = Segment.objects.filter(camera=camera, node="node-a").order_by("-end").first()
        gap = wait_for(
            lambda c=camera, a=after: Gap.objects.filter(camera=c, end=a.start).first(), timeout=10, what="the gap"
        )
        assert gap.start == last_on_a.end
        assert gap.cause == GapCause.RECORDER_RESTARTED
        assert "node-a" in gap.detail and "node-b" in gap.detail
        assert node_of(camera) == "node-b"
    # The cameras of node-b never moved.
    for camera in cameras:
        if placed[camera.pk] == "node-b":
            assert not Segment.objects.filter(camera=camera, node="node-a").exists()
            assert not Gap.objects.filter(camera=camera, start__gt=killed_at - timedelta(seconds=5)).exists()

    wait_for(lambda: all(recorded_seconds(c) >= 12 for c in moved), timeout=40, what="more recording on node-b")
    for camera in cameras:
        # Nothing recorded twice: no two segments of a camera overlap (holes() reports overlaps as negative).
        assert [h for h in holes(segments_of(camera)) if h[1] < h[0]] == []

    # Footage of both nodes through one web server, behind the same access check.
    camera = moved[0]
    segments = list(Segment.objects.filter(camera=camera).order_by("start"))
    first_a = next(s for s in segments if s.node == "node-a")
    first_b = next(s for s in segments if s.node == "node-b")
    client.force_login(make_user("operator", OPERATOR, elderships=[eldership]))
    for segment in (first_a, first_b):
        assert_segment_is_sound(segment)
        response = client.get(f"/playback/segments/{segment.pk}.ts")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == storage.segment_file(segment.node, segment.path).read_bytes()
    client.force_login(make_user("outsider", OPERATOR, elderships=[EldershipFactory()]))
    assert client.get(f"/playback/segments/{first_b.pk}.ts").status_code in (403, 404)

    # A clip spanning the move holds every frame of both nodes' segments, in order.
    span = [s for s in segments if first_a.start <= s.start and s.end <= first_b.end]
    assert {s.node for s in span} == {"node-a", "node-b"}
    clip = tmp_path / "clip.mp4"
    copy_range(span, start=span[0].start, end=span[-1].end, out=lambda _start: clip)
    assert video_packets(clip) == sum(video_packets(storage.segment_file(s.node, s.path)) for s in span)


def video_packets(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for packet in container.demux(video=0) if packet.size)
