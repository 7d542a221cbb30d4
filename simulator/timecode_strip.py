"""Layout and bit coding of the simulator's timecode strip, shared by the GStreamer script and the reader."""

# Pure standard library on purpose: the RTSP server script runs under Debian's system Python (for `gi`)
# and imports this file by path, while the venv imports it as simulator.timecode_strip.

# The strip is ROWS x COLS square cells of BLOCK px, black = 0 and white = 1, at the bottom left of the
# picture. 16 px cells on the 16 px macroblock grid survive H.264 at low bitrates with a wide margin.
BLOCK = 16
COLS = 32
ROWS = 2
MARGIN = 16  # distance from the left and bottom edges, and the grey quiet zone around the cells
DATA_BITS = 48  # UTC milliseconds since the epoch: 48 bits last until the year 10889
CRC_BITS = 8
# Each row starts with its own sync pattern, so a reader can reject a frame that is not ours, and the
# two patterns are mirror images, so swapped or shifted rows fail too.
ROW_SYNC = ((1, 0, 1, 0), (0, 1, 0, 1))
STRIP_WIDTH = COLS * BLOCK
STRIP_HEIGHT = ROWS * BLOCK
MIN_WIDTH = STRIP_WIDTH + 2 * MARGIN
MIN_HEIGHT = STRIP_HEIGHT + 2 * MARGIN

# Luma values as limited-range video (BT.601/709 black 16, white 235); QUIET is the grey surround.
LUMA_BLACK = 16
LUMA_WHITE = 235
LUMA_QUIET = 128

_PAYLOAD_BITS = ROWS * COLS - sum(len(s) for s in ROW_SYNC)
assert _PAYLOAD_BITS == DATA_BITS + CRC_BITS, "layout constants disagree"


def strip_origin(width: int, height: int) -> tuple[int, int]:
    """Top-left pixel of the first cell for a picture of width x height."""
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise ValueError(f"picture {width}x{height} is smaller than the timecode strip needs")
    # Snap to the 16 px grid so each cell is exactly one macroblock (less ringing, steadier luma).
    y = (height - MARGIN - STRIP_HEIGHT) // 16 * 16
    return MARGIN, y


def crc8(value: int, nbits: int = DATA_BITS) -> int:
    """CRC-8 (polynomial 0x07) over the nbits of value, most significant bit first."""
    crc = 0
    for i in range(nbits - 1, -1, -1):
        bit = (value >> i) & 1
        top = (crc >> 7) & 1
        crc = (crc << 1) & 0xFF
        if top ^ bit:
            crc ^= 0x07
    return crc


def encode_cells(millis: int) -> list[list[int]]:
    """ROWS lists of COLS bits (1 = white) that encode millis (0 <= millis < 2**48)."""
    if not 0 <= millis < 1 << DATA_BITS:
        raise ValueError("timecode out of range")
    payload = [(millis >> i) & 1 for i in range(DATA_BITS - 1, -1, -1)]
    crc = crc8(millis)
    payload += [(crc >> i) & 1 for i in range(CRC_BITS - 1, -1, -1)]
    rows = []
    for sync in ROW_SYNC:
        take = COLS - len(sync)
        rows.append(list(sync) + payload[:take])
        payload = payload[take:]
    return rows


def decode_cells(rows: list[list[int]]) -> int | None:
    """The milliseconds encoded in ROWS x COLS bits, or None when a sync pattern or the CRC is wrong."""
    if len(rows) != ROWS or any(len(r) != COLS for r in rows):
        return None
    payload: list[int] = []
    for sync, row in zip(ROW_SYNC, rows, strict=True):
        if tuple(row[: len(sync)]) != sync:
            return None
        payload.extend(row[len(sync) :])
    millis = 0
    for bit in payload[:DATA_BITS]:
        millis = (millis << 1) | bit
    crc = 0
    for bit in payload[DATA_BITS:]:
        crc = (crc << 1) | bit
    return millis if crc == crc8(millis) else None
