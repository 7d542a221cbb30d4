"""An evidence package of real recorded footage: the video is the recorded packets, starting at the keyframe
at or before the requested instant; every file is covered by SHA256SUMS and the signed manifest, which
`sha256sum -c` and `openssl pkeyutl` check without our code; gaps are stated with their causes."""

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import av
import pytest

from exports import services
from exports.choices import ExportKind, ExportState
from exports.verification import verify_package
from recordings.capture import storage
from recordings.choices import GapCause
from recordings.models import Gap
from tests.support import footage

from .conftest import T0, unpack

EVIDENCE = {
    "request": {
        "id": 7,
        "kind": "police",
        "case_number": "01-1-00123-26",
        "legal_basis": "criminal_procedure",
        "legal_basis_text": "BPK 97 str.",
        "reason": "Vagystė turgavietėje",
        "requester": {
            "name": "Jonas Jonaitis",
            "organisation": "Biržų r. PK",
            "position": "tyrėjas",
            "service_number": "A-123",
            "email": "jonas@policija.lt",
        },
        "approver": {"name": "Ona Onaitė"},
        "submitted_at": "2026-11-21T08:00:00+00:00",
        "approved_at": "2026-11-21T09:00:00+00:00",
        "review_reason": "Pagrįsta",
    },
    "custody": [
        {"event": "requested", "at": "2026-11-21T08:00:00+00:00", "user": "jonas", "from": "10.0.0.5", "detail": ""}
    ],
}


def nal_units(data: bytes, *, length_prefixed: bool) -> list[bytes]:
    """The NAL units of an H.264 access unit: Annex B (start codes, MPEG-TS) or 4-byte lengths (MP4)."""
    units = []
    if length_prefixed:
        i = 0
        while i < len(data):
            size = int.from_bytes(data[i : i + 4], "big")
            units.append(data[i + 4 : i + 4 + size])
            i += 4 + size
        return units
    for part in data.split(b"\x00\x00\x01"):
        part = part.rstrip(b"\x00") if part else part
        if part:
            units.append(part)
    return units


def packets(path: Path) -> list[av.Packet]:
    with av.open(str(path)) as container:
        return [(bytes(p), p.is_keyframe) for p in container.demux(container.streams.video[0]) if p.size]


@pytest.fixture
def evidence(built, camera, operator):
    segments = footage.record_footage(camera, footage.H264, start=T0, segments=4)
    start, end = T0 + timedelta(seconds=5.55), T0 + timedelta(seconds=13.3)
    export = built(kind=ExportKind.EVIDENCE, items=[(camera, start, end)], created_by=operator, evidence=EVIDENCE)
    return export, segments, start, end


def test_the_video_is_the_recorded_packets_from_the_keyframe_before_the_start(evidence, tmp_path):
    export, segments, start, end = evidence
    assert export.state == ExportState.READY, export.error
    item = export.items.get()
    # The footage has a keyframe every second: the file starts at the one at or before 5.55 s.
    assert item.actual_start == T0 + timedelta(seconds=5)
    assert start - item.actual_start < timedelta(seconds=1)
    assert item.actual_end < end
    folder = unpack(export, tmp_path / "pkg")
    exported = packets(folder / item.file_name)
    source = [p for s in segments for p in packets(storage.absolute(s.path))]
    # 10 frames per second: the source packets from 5.0 s up to (not including) 13.3 s.
    # 10 frames per second: the source packets of 5.0 s to 13.2 s (13.3 s is the requested end, excluded).
    in_range = source[50:133]
    assert len(exported) == len(in_range) == 83
    assert exported[0][1], "the file starts with a keyframe"
    # MP4 frames NAL units with their lengths where MPEG-TS uses start codes: the units are the same bytes.
    for (out, _), (src, _) in zip(exported, in_range, strict=True):
        assert nal_units(out, length_prefixed=True) == nal_units(src, length_prefixed=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    cam = manifest["cameras"][0]
    assert cam["actual"]["start"]["utc"] == item.actual_start.isoformat()
    assert cam["requested"]["start"]["utc"] == start.isoformat()
    assert cam["requested"]["start"]["local"] == "2026-11-20T12:00:05.550000+02:00"
    assert cam["starts_before_requested_seconds"] == 0.55
    assert [s["sha256"] for s in cam["segments"]] == [s.sha256 for s in segments[1:4]]
    assert all(s["sha256_matches_file"] for s in cam["segments"])
    assert cam["segments"][0]["daily_digest"] == {"day": "2026-11-20", "sealed": False}
    assert manifest["request"] == EVIDENCE["request"]
    assert cam["camera"]["eldership"]["name"] == "Pabiržės"
    assert cam["camera"]["latitude"] == "56.210100"


def top_level_boxes(path: Path) -> list[str]:
    """The types of an MP4's top-level boxes, in file order."""
    data, boxes, i = path.read_bytes(), [], 0
    while i < len(data):
        size, kind = int.from_bytes(data[i : i + 4], "big"), data[i + 4 : i + 8].decode()
        if size == 1:
            size = int.from_bytes(data[i + 8 : i + 16], "big")
        boxes.append(kind)
        i += size
    return boxes


def test_the_mp4_is_fragmented_with_its_header_first(evidence, tmp_path):
    """Written front to back (docs/evidence.md, "Container"): the header first, so a player starts at once, one
    fragment per keyframe interval, the random-access table last; players see the whole duration."""
    export, *_ = evidence
    item = export.items.get()
    path = unpack(export, tmp_path / "pkg") / item.file_name
    boxes = top_level_boxes(path)
    assert boxes[:2] == ["ftyp", "moov"] and boxes[-1] == "mfra", boxes
    fragments = boxes[2:-1]
    # 5.0 s to 13.2 s with a keyframe every second: a fragment from each of the nine keyframes.
    assert fragments == ["moof", "mdat"] * 9
    with av.open(str(path)) as container:
        assert container.duration == pytest.approx(8.3 * av.time_base, abs=0.15 * av.time_base)


def test_independent_tools_and_verify_package_accept_it(evidence, tmp_path):
    export, *_ = evidence
    folder = unpack(export, tmp_path / "pkg")
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    listed = {line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()}
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert listed == on_disk - {"SHA256SUMS"}
    signature = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "public_key.pem",
            "-rawin",
            "-in",
            "manifest.json",
            "-sigfile",
            "manifest.sig",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert signature.returncode == 0, signature.stdout + signature.stderr
    assert "Signature Verified Successfully" in signature.stdout
    assert len((folder / "manifest.sig").read_bytes()) == 64
    assert verify_package(services.package_path(export)) == []
    custody = json.loads((folder / "custody.json").read_text())
    assert [e["event"] for e in custody["events"]] == ["requested", "exported"]


def test_the_summary_pdfs_render_in_both_languages(evidence, tmp_path):
    export, *_ = evidence
    folder = unpack(export, tmp_path / "pkg")
    for language, word in (("lt", "Kamera"), ("en", "Camera")):
        html = (folder / f"summary.{language}.html").read_text()
        assert f'lang="{language}"' in html and word in html
        assert "01-1-00123-26" in html
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", folder / f"summary.{language}.pdf", tmp_path / language], check=True
        )
        assert list(tmp_path.glob(f"{language}*.png"))


def test_a_gap_in_the_range_is_stated_with_its_cause(built, camera, operator, tmp_path):
    footage.record_footage(camera, footage.H264, start=T0, segments=2)
    footage.record_footage(camera, footage.H264, start=T0 + timedelta(seconds=20), segments=2)
    Gap.objects.create(
        camera=camera,
        start=T0 + timedelta(seconds=8),
        end=T0 + timedelta(seconds=20),
        cause=GapCause.CAMERA_UNREACHABLE,
        detail="no route to host",
    )
    export = built(kind=ExportKind.EVIDENCE, items=[(camera, T0, T0 + timedelta(seconds=26))], created_by=operator)
    assert export.state == ExportState.READY, export.error
    folder = unpack(export, tmp_path / "pkg")
    gaps = json.loads((folder / "manifest.json").read_text())["cameras"][0]["gaps"]
    assert gaps == [
        {
            "start": {"utc": "2026-11-20T10:00:08+00:00", "local": "2026-11-20T12:00:08+02:00"},
            "end": {"utc": "2026-11-20T10:00:20+00:00", "local": "2026-11-20T12:00:20+02:00"},
            "cause": "camera_unreachable",
            "cause_text": "Camera unreachable",
            "detail": "no route to host",
        }
    ]
    assert "Camera unreachable" in (folder / "summary.en.html").read_text()
    lt = (folder / "summary.lt.html").read_text()
    assert "12:00:08" in lt and "no route to host" in lt
    assert verify_package(services.package_path(export)) == []


@pytest.mark.parametrize("codec", [footage.HEVC, footage.MJPEG], ids=lambda c: c.name)
def test_other_codecs_keep_their_packets(built, camera, operator, codec, tmp_path):
    segments = footage.record_footage(camera, codec, start=T0, segments=2)
    export = built(kind=ExportKind.CLIP, items=[(camera, T0, T0 + timedelta(seconds=8))], created_by=operator)
    assert export.state == ExportState.READY, export.error
    item = export.items.get()
    assert item.file_name.endswith(".mp4" if codec is footage.HEVC else ".mkv")
    folder = unpack(export, tmp_path / "pkg")
    exported = packets(folder / item.file_name)
    source = [p for s in segments for p in packets(storage.absolute(s.path))]
    if codec is footage.MJPEG:
        assert exported == source
        with av.open(str(folder / item.file_name)) as container:
            # Written to a file first, so the muxer could go back for the duration (and the index).
            assert container.duration == pytest.approx(8 * av.time_base, abs=0.5 * av.time_base)
    else:
        assert [nal_units(p, length_prefixed=True) for p, _ in exported] == [
            nal_units(p, length_prefixed=False) for p, _ in source
        ]


def test_no_footage_in_the_range_fails_with_a_reason(built, camera, operator):
    export = built(kind=ExportKind.CLIP, items=[(camera, T0, T0 + timedelta(seconds=8))], created_by=operator)
    assert export.state == ExportState.FAILED
    assert "no footage" in export.error


def test_a_failed_export_can_be_retried_once_the_footage_is_there(built, camera, operator):
    export = built(kind=ExportKind.CLIP, items=[(camera, T0, T0 + timedelta(seconds=8))], created_by=operator)
    assert export.state == ExportState.FAILED and export.attempts == 1
    footage.record_footage(camera, footage.H264, start=T0, segments=2)
    services.retry_export(export)
    assert export.state == ExportState.QUEUED and export.error == ""
    from exports.tasks import build_export

    build_export(export.pk)
    export.refresh_from_db()
    assert export.state == ExportState.READY and export.attempts == 2
    assert verify_package(services.package_path(export)) == []


def test_each_source_segment_names_its_signed_daily_digest(built, camera, operator, tmp_path):
    from birzai_vms import keys
    from integrity.models import DailyDigest
    from integrity.services import digest_message, seal_day

    segments = footage.record_footage(camera, footage.H264, start=T0, segments=2)
    seal_day(camera_id=camera.pk, day=T0.date())
    export = built(kind=ExportKind.EVIDENCE, items=[(camera, T0, T0 + timedelta(seconds=8))], created_by=operator)
    folder = unpack(export, tmp_path / "pkg")
    rows = json.loads((folder / "manifest.json").read_text())["cameras"][0]["segments"]
    digest = DailyDigest.objects.get(camera=camera, day=T0.date())
    assert [r["daily_digest"]["position"] for r in rows] == [0, 1]
    for row, segment in zip(rows, segments, strict=True):
        sealed = row["daily_digest"]
        assert sealed["sealed"] and sealed["listed"] and row["sha256"] == segment.sha256
        assert (sealed["chain_head"], sealed["signature"]) == (digest.head, digest.signature)
    assert keys.signature_is_valid(digest_message(digest), rows[0]["daily_digest"]["signature"])
    assert "sealed and signed" in (folder / "summary.en.html").read_text()


def test_a_codec_change_inside_the_range_is_refused_with_where_it_happens(built, camera, operator):
    footage.record_footage(camera, footage.H264, start=T0, segments=1)
    footage.record_footage(camera, footage.MJPEG, start=T0 + timedelta(seconds=4), segments=1)
    export = built(kind=ExportKind.CLIP, items=[(camera, T0, T0 + timedelta(seconds=8))], created_by=operator)
    assert export.state == ExportState.FAILED
    assert "codec changes within the range (from h264 to mjpeg at 2026-11-20 10:00:04 UTC)" in export.error
