"""Is the picture frozen? The first keyframe of each camera's newest segment, compared with OpenCV.

Cheap on purpose: one keyframe per camera and check (PyAV decodes keyframes only), downscaled to a
thumbnail in grey by the decoder's scaler, then one cv2.absdiff. A camera whose encoder hangs on one
frame sends the very same picture, so the keyframes agree to the last grey level; sensor noise, a
passer-by or the camera's own clock overlay change some pixels by more than PIXEL_LEVELS. The reference
picture and the instant it last changed are kept in Redis: losing them only restarts the clock.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

import av
import cv2
import numpy as np
import redis
from django.conf import settings

from recordings.capture import storage

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 160, 90
# A pixel changed when it differs by more than this many grey levels (0–255): compression noise of one
# picture encoded twice stays below; an overlay clock's digit or a moving car is far above.
PIXEL_LEVELS = 12
# The picture changed when more than this fraction of its pixels did (0.05 %: a handful of pixels of
# the 160×90 thumbnail, about one digit of a clock overlay).
CHANGED_FRACTION = 0.0005
_KEY = "vms:incidents:picture:{}"


class PictureError(Exception):
    """The segment has no decodable picture."""


def thumbnail(path: str) -> np.ndarray:
    """The first keyframe of the file as a HEIGHT×WIDTH grey image."""
    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            for frame in container.decode(stream):
                return frame.reformat(width=WIDTH, height=HEIGHT, format="gray", interpolation="AREA").to_ndarray()
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        raise PictureError(str(exc.__class__.__name__)) from exc
    raise PictureError("no keyframe")


def changed(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether picture b differs from picture a by more than noise."""
    diff = cv2.absdiff(a, b)
    _, moved = cv2.threshold(diff, PIXEL_LEVELS, 1, cv2.THRESH_BINARY)
    return cv2.mean(moved)[0] > CHANGED_FRACTION


@dataclass(frozen=True)
class Picture:
    changed_at: datetime  # the start of the first segment showing the current picture
    seen_at: datetime  # the start of the newest segment compared

    def unchanged_seconds(self) -> float:
        return (self.seen_at - self.changed_at).total_seconds()


def observe(
    client: redis.Redis, *, camera_id: int, segment_id: int, node: str, path: str, start: datetime
) -> Picture | None:
    """Compare the segment's first keyframe with the camera's reference picture and remember the result.
    None when nothing is known (no picture yet, or this segment cannot be decoded)."""
    key = _KEY.format(camera_id)
    stored = client.hgetall(key)
    if stored and int(stored[b"segment"]) == segment_id:
        return _picture(stored)
    try:
        image = thumbnail(str(storage.segment_file(node, path)))
    except PictureError as exc:
        log.debug("camera %s: segment %s not compared for a frozen picture: %s", camera_id, segment_id, exc)
        return _picture(stored) if stored else None
    reference = np.frombuffer(stored[b"image"], dtype=np.uint8).reshape(HEIGHT, WIDTH) if stored else None
    fields = {"segment": segment_id, "seen_at": start.isoformat()}
    if reference is None or reference.shape != image.shape or changed(reference, image):
        fields |= {"image": image.tobytes(), "changed_at": start.isoformat()}
    # Kept a day: a camera off for longer starts afresh.
    client.hset(key, mapping=fields)
    client.expire(key, 24 * 3600)
    return _picture(client.hgetall(key))


def forget(client: redis.Redis, camera_id: int) -> None:
    client.delete(_KEY.format(camera_id))


def _picture(stored: dict[bytes, bytes]) -> Picture:
    return Picture(
        changed_at=datetime.fromisoformat(stored[b"changed_at"].decode()),
        seen_at=datetime.fromisoformat(stored[b"seen_at"].decode()),
    )


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2.0, socket_connect_timeout=2.0)
