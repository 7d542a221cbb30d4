"""Two capture nodes sharing PostgreSQL and Redis, each with its own recording root: cameras are spread
over both; SIGKILL of one moves its cameras to the other within 15 s with the hole a gap that says why,
nothing is recorded twice, and footage of both nodes plays through one web server. When the killed node
returns, the segment it was writing is indexed and the gap gives that time back. Each node reconciles its
own root and relieves its own disk."""

import os
import shutil
import time
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import av
import pytest
from django.utils import timezone

from accounts.roles import OPERATOR
from alarms.models import Alarm
from birzai_vms.processes import ManagedProcess
from exports.video import copy_range
from integrity.models import QuarantinedFile
from recordings.capture import lease, nodes, storage
from recordings.choices import GapCause, SegmentStatus
from recordings.models import Gap, Segment
from retention import storage as retention_storage
from retention import tasks as retention_tasks
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


def node_env(name: str, root: Path, **extra: str) -> dict[str, str]:
    # A killed recorder's file is settled (the reconciler may index it) two seconds after its last write.
    return {"NODE_NAME": name, "RECORDINGS_ROOT": str(root), "RECONCILE_SETTLE_SECONDS": "2", **extra}


class TwoNodes(NamedTuple):
    roots: dict[str, Path]
    workers: dict[str, ManagedProcess]


@pytest.fixture
def two_nodes(capture_stack, tmp_path: Path, settings) -> TwoNodes:
    """Capture nodes node-a and node-b, each with its own recording root, both registered."""
    roots = {name: tmp_path / name for name in ("node-a", "node-b")}
    # The web server (this test's client) sees each node's root as an NFS mount would show it.
    settings.RECORDINGS_ROOTS = roots
    workers = {name: capture_stack.capture_worker(name, env=node_env(name, root)) for name, root in roots.items()}
    wait_for(
        lambda: {p.node for p in nodes.live_processes(redis_client=lease.client())} == set(roots),
        timeout=20,
        what="both nodes registered",
    )
    # Each says how many cameras its threads can take (16 threads, less those kept for the node's chores).
    assert {p.slots for p in nodes.live_processes(redis_client=lease.client())} == {16 - nodes.CHORE_THREADS}
    return TwoNodes(roots, workers)


def overlaps(camera) -> list[tuple[str, object, object]]:
    """Gaps that overlap a segment, and segments that overlap each other (recorded twice)."""
    found = []
    for gap in Gap.objects.filter(camera=camera):
        for segment in Segment.objects.filter(camera=camera).overlapping(gap.start, gap.end):
            found.append(("gap over segment", gap, segment))
    found += [("segments overlap", a, b) for a, b in holes(segments_of(camera)) if b < a]
    return found


def test_two_nodes_share_the_cameras_and_one_takes_over_when_the_other_is_killed(
    capture_stack, shared_encoder, two_nodes, tmp_path, client
):
    roots, workers = two_nodes
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

    # node-a returns. The segments its recorders were writing when it was killed are on its disk only:
    # its catch-up indexes them, and the gaps node-b wrote give that recorded time back.
    gaps_before = {c.pk: Gap.objects.get(camera=c, cause=GapCause.RECORDER_RESTARTED) for c in moved}
    last_end_before = {c.pk: Segment.objects.filter(camera=c, node="node-a").latest("end").end for c in moved}
    workers["node-a"] = capture_stack.capture_worker("node-a", env=node_env("node-a", roots["node-a"]))

    def cut_off(camera) -> Segment | QuarantinedFile | None:
        # Indexed, or (killed before its first whole packet) quarantined as unreadable.
        late = Segment.objects.filter(camera=camera, node="node-a", start__gte=last_end_before[camera.pk]).first()
        return late or QuarantinedFile.objects.filter(camera=camera).first()

    indexed_late = 0
    for camera in moved:
        late = wait_for(lambda c=camera: cut_off(c), timeout=40, what=f"camera {camera.pk}'s cut-off segment")
        assert overlaps(camera) == []
        if isinstance(late, Segment):
            indexed_late += 1
            gap = Gap.objects.get(camera=camera, end=gaps_before[camera.pk].end)
            assert gap.start == late.end  # the gap starts where the late segment ends, not before
            assert (gap.cause, gap.detail) == (gaps_before[camera.pk].cause, gaps_before[camera.pk].detail)
            assert_segment_is_sound(late)
    assert indexed_late  # a file cut short before its first whole packet is rare; both would be a fluke
    # The returning node takes no camera from node-b (a move costs a gap): nothing is recorded twice.
    for camera in cameras:
        assert overlaps(camera) == []
        assert node_of(camera) == "node-b"


def video_packets(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for packet in container.demux(video=0) if packet.size)


def test_each_node_reconciles_its_own_root_and_relieves_its_own_disk(capture_stack, shared_encoder, two_nodes):
    roots, workers = two_nodes
    cameras = [CameraFactory(rtsp_url=url) for url in shared_encoder.urls[:2]]
    # Beat (inside the dispatcher, a default-queue worker that is no capture node) asks every node often.
    capture_stack.dispatcher(env={"RECONCILE_INTERVAL_SECONDS": "3", "STORAGE_CHECK_INTERVAL_SECONDS": "2"})
    wait_for(lambda: all(lease.holder_of(c.pk) for c in cameras), timeout=60, what="every camera leased")
    on = {lease.holder_of(c.pk).split(":")[0]: c for c in cameras}
    assert set(on) == set(roots), on
    wait_for(lambda: all(recorded_seconds(c) >= 8 for c in cameras), timeout=60, what="8 s of every camera")

    # A file dropped into each node's root (written while the database was away, say) is indexed by that
    # node, as that node's; a file of node-b's that vanished marks its row missing.
    dropped = {}
    for name, camera in on.items():
        first = Segment.objects.filter(camera=camera).order_by("start").first()
        rel = storage.segment_relpath(camera.pk, first.start - timedelta(hours=1))
        path = roots[name] / rel
        path.parent.mkdir(parents=True)
        shutil.copyfile(roots[name] / first.path, path)
        past = time.time() - 60
        os.utime(path, (past, past))
        dropped[name] = rel
    vanished = Segment.objects.filter(camera=on["node-b"], node="node-b").order_by("start").first()
    (roots["node-b"] / vanished.path).unlink()
    for name, rel in dropped.items():
        wait_for(
            lambda n=name, r=rel: Segment.objects.filter(node=n, path=r, camera=on[n]).exists(),
            timeout=30,
            what=f"the file dropped into {name}'s root indexed as {name}'s",
        )
    wait_for(
        lambda: Segment.objects.get(pk=vanished.pk).status == SegmentStatus.MISSING,
        timeout=30,
        what="node-b's vanished file marked missing",
    )
    assert Alarm.objects.open().filter(kind="segment_missing", camera=on["node-b"]).exists()
    assert not Segment.objects.filter(node="node-a", status=SegmentStatus.MISSING).exists()

    # The storage projection: beat asks every node, and each reports its own storage (two roots: two).
    assert set(retention_tasks.project_storage()) == set(roots)
    wait_for(
        lambda: {r.node for r in retention_storage.node_reports()} == set(roots),
        timeout=30,
        what="both nodes' storage reports",
    )
    reports = {r.node: r for r in retention_storage.node_reports()}
    assert reports["node-a"].storage_id != reports["node-b"].storage_id
    for name, camera in on.items():
        assert camera.pk in reports[name].stored and camera.pk in reports[name].newest
    projected = {p.camera_id: p for p in retention_storage.project_storage()}
    assert all(projected[c.pk].bytes_per_day > 0 and projected[c.pk].projected_days for c in cameras)

    # node-b's disk is under its watermark (as node-b alone sees it): node-b deletes its own oldest footage,
    # and only that; the "storage full" alarm names node-b. node-a's footage and its sweep are unaffected.
    workers["node-b"].stop(timeout=10)
    kept_a = set(Segment.objects.filter(node="node-a").values_list("pk", flat=True))
    workers["node-b"] = capture_stack.capture_worker(
        "node-b", env=node_env("node-b", roots["node-b"], STORAGE_MIN_FREE_BYTES=str(10**15))
    )
    wait_for(lambda: not Segment.objects.filter(node="node-b").exists(), timeout=40, what="node-b's footage deleted")
    full = wait_for(
        lambda: Alarm.objects.open().filter(kind="storage_full").first(), timeout=20, what="storage full alarm"
    )
    assert full.params["node"] == "node-b"
    assert "capture node node-b is full" in full.text
    assert kept_a <= set(Segment.objects.filter(node="node-a").values_list("pk", flat=True))
    # node-a's own sweep (not under its watermark) leaves node-b's alarm open.
    time_of_full = full.updated_at
    wait_for(lambda: Segment.objects.filter(node="node-a").count() > len(kept_a) + 1, timeout=30, what="more on a")
    full.refresh_from_db()
    assert full.ended_at is None and full.params["node"] == "node-b" and full.updated_at >= time_of_full
