"""`manage.py simulate_cameras --field-kinds`: one camera of every other kind after the regular ones."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import av
import pytest
from django.core.management import call_command

from birzai_vms.processes import ManagedProcess
from cameras.models import Camera
from simulator.fleet import free_port_range, port_accepts
from simulator.kinds import FIELD_KINDS

ROOT = Path(__file__).resolve().parents[2]
TCP = {"rtsp_transport": "tcp", "timeout": "5000000"}


def test_field_kinds_follow_the_shared_encoder_cameras(tmp_path):
    count = 2
    base = free_port_range(count + len(FIELD_KINDS) + 1) - 1  # camera k listens on base + k
    state = tmp_path / "state"
    argv = [sys.executable, str(ROOT / "manage.py"), "simulate_cameras", "--count", str(count)]
    argv += ["--shared-encoder", "--field-kinds", "--base-port", str(base), "--state-dir", str(state)]
    argv += ["--width", "640", "--height", "360", "--fps", "5"]  # 15 encoders on a small machine
    fleet = ManagedProcess("fleet", argv, cwd=ROOT)
    try:
        fleet.start()
        fleet.wait_for_line(rf"simulated cameras \+ {len(FIELD_KINDS)} of other kinds", timeout=60)
        for k in range(1, count + len(FIELD_KINDS) + 1):
            assert port_accepts("127.0.0.1", base + k), f"camera {k} listens"
        status = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "simulate_cameras", "--status", "--state-dir", str(state)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        for k, kind in enumerate(FIELD_KINDS, start=count + 1):
            assert f"rtsp://127.0.0.1:{base + k}/live  {kind}" in status, status
        h265 = count + 1 + FIELD_KINDS.index("h265")
        with av.open(f"rtsp://127.0.0.1:{base + h265}/live", options=TCP, timeout=10) as container:
            assert container.streams.video[0].codec_context.name == "hevc"
    finally:
        fleet.stop(15)
    for k in range(1, count + len(FIELD_KINDS) + 1):
        assert not port_accepts("127.0.0.1", base + k), f"camera {k} stopped with the fleet"


@pytest.mark.django_db
def test_seed_with_field_kinds_points_one_camera_per_kind_after_the_24(settings):
    call_command("seed_birzai", "--field-kinds", stdout=io.StringIO())
    base = settings.SIMULATOR_BASE_PORT
    for k, kind in enumerate(FIELD_KINDS, start=25):
        camera = Camera.objects.get(name=kind)
        assert camera.rtsp_url == f"rtsp://127.0.0.1:{base + k}/live"
        assert camera.enabled and camera.eldership.code == "birzu-miesto"
    assert Camera.objects.count() == 24 + len(FIELD_KINDS)
    # Seeding again without the flag leaves them in place but stops recording them.
    call_command("seed_birzai", stdout=io.StringIO())
    assert not Camera.objects.filter(name__in=FIELD_KINDS, enabled=True).exists()
    assert Camera.objects.filter(enabled=True).count() == 24
