"""Real MPEG-TS segment files and their index rows, made quickly for retention and integrity tests."""

import shutil
import subprocess
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import imageio_ffmpeg
from django.conf import settings

from recordings.capture import storage
from recordings.models import Segment

SECONDS = 4


@cache
def template(directory: str) -> Path:
    """A 4 s H.264 MPEG-TS file made by the wheel's ffmpeg (once per directory)."""
    path = Path(directory) / "template.ts"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=160x120:rate=10:duration={SECONDS}",
            "-c:v",
            "libx264",
            "-g",
            "10",
            "-f",
            "mpegts",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def write_file(camera_id: int, start: datetime, template_dir: Path) -> Path:
    path = storage.absolute(storage.segment_relpath(camera_id, start))
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template(str(template_dir)), path)
    return path


def make_segments(camera: object, start: datetime, count: int, template_dir: Path) -> list[Segment]:
    """count contiguous 4 s segments from start: files on disk and rows in the index."""
    rows = []
    for n in range(count):
        begin = start + timedelta(seconds=SECONDS * n)
        path = write_file(camera.pk, begin, template_dir)
        rows.append(
            Segment(
                camera=camera,
                start=begin,
                end=begin + timedelta(seconds=SECONDS),
                bytes=path.stat().st_size,
                sha256=storage.sha256_of(path),
                path=str(path.relative_to(settings.RECORDINGS_ROOT)),
                node=settings.NODE_NAME,
                codec="h264",
                width=160,
                height=120,
            )
        )
    return Segment.objects.bulk_create(rows)
