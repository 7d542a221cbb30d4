"""Reads the simulator's timecode strip (capture wall-clock time) back from a decoded luma frame."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from simulator import timecode_strip as ts

# Minimum luma difference between the white and black sync cells; below it the strip is not ours
# (or the frame is a grey decoding artefact) and any bit decision would be a guess.
_MIN_CONTRAST = 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def read_timecode(gray: np.ndarray) -> datetime | None:
    """The aware UTC capture time encoded in a full-resolution frame's strip, or None if unreadable."""
    if gray.ndim != 2:
        return None
    height, width = gray.shape
    try:
        x0, y0 = ts.strip_origin(width, height)
    except ValueError:
        return None
    cells = gray[y0 : y0 + ts.STRIP_HEIGHT, x0 : x0 + ts.STRIP_WIDTH].astype(np.float32)
    # Mean of the central half of each cell: the edges carry most of the compression ringing.
    cells = cells.reshape(ts.ROWS, ts.BLOCK, ts.COLS, ts.BLOCK)
    q = ts.BLOCK // 4
    means = cells[:, q : ts.BLOCK - q, :, q : ts.BLOCK - q].mean(axis=(1, 3))
    sync_white = [means[r, i] for r, sync in enumerate(ts.ROW_SYNC) for i, b in enumerate(sync) if b]
    sync_black = [means[r, i] for r, sync in enumerate(ts.ROW_SYNC) for i, b in enumerate(sync) if not b]
    white, black = min(sync_white), max(sync_black)
    if white - black < _MIN_CONTRAST:
        return None
    bits = (means > (white + black) / 2).astype(int).tolist()
    millis = ts.decode_cells(bits)
    if millis is None:
        return None
    return _EPOCH + timedelta(milliseconds=millis)
