"""The optional viewing copy: re-encoded H.264 with the Vilnius time and the camera's name drawn on it,
named NOT-EVIDENCE, listed in the manifest as not evidence, and covered by SHA256SUMS like every file."""

import json
import subprocess
from datetime import timedelta

import av

from exports.choices import ExportKind, ExportState
from tests.support import footage

from .conftest import T0, unpack


def test_a_viewing_copy_is_clearly_named_and_re_encoded(built, camera, operator, tmp_path):
    footage.record_footage(camera, footage.MJPEG, start=T0, segments=2)
    export = built(
        kind=ExportKind.CLIP, items=[(camera, T0, T0 + timedelta(seconds=8))], created_by=operator, burn_in=True
    )
    assert export.state == ExportState.READY, export.error
    folder = unpack(export, tmp_path / "pkg")
    copies = list((folder / "viewing-copy").iterdir())
    assert len(copies) == 1 and copies[0].name.endswith("-NOT-EVIDENCE.mp4")
    with av.open(str(copies[0])) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = list(container.decode(stream))
    assert len(frames) == 80
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["cameras"][0]["viewing_copy"]["file"] == f"viewing-copy/{copies[0].name}"
    assert "not evidence" in manifest["cameras"][0]["viewing_copy"]["note"]
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=folder).returncode == 0
    # The burned-in caption darkens the top-left corner, which is plain grey in the recorded picture.
    top_left = frames[0].to_ndarray(format="gray")[12:30, 12:200]
    assert top_left.min() < 60 and top_left.max() > 180
