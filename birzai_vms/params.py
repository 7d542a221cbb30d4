"""Times and ids taken from requests: the bounds and parsers every view, form, filter and serializer uses
(the fields built on them are in `birzai_vms.fields`).

Python's datetime ends at years 1 and 9999: an instant there moved by a time zone offset or a day raises
OverflowError (a 500), so times outside BOUNDS are refused before anything computes with them. Digits
other than ASCII 0-9 (superscripts pass `str.isdigit`, Arabic-Indic digits pass `int` and Django's
date parsing) are refused too: an id or a time is typed or generated in ASCII, anything else is garbage.
"""

import re
from datetime import UTC, date, datetime

from django.utils.translation import gettext as _

# Footage is recorded now and kept for months; these bounds leave centuries on both sides of any real
# time while keeping every computation on them (offsets, day navigation) far from datetime's limits.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)

_ID = re.compile(r"[0-9]{1,18}")
# What an ISO 8601 time is written with; anything else (other digits) is refused before parsing.
ASCII_TIME = re.compile(r"[0-9A-Za-z:.+\- ]*")


def out_of_range_message() -> str:
    return _("Times must lie between %(first)s and %(last)s.") % {
        "first": EARLIEST_DAY.isoformat(),
        "last": LATEST_DAY.isoformat(),
    }


def is_id(value: object) -> bool:
    """A positive whole number written in ASCII digits (what `str.isdigit` is not)."""
    return isinstance(value, str) and bool(_ID.fullmatch(value)) and int(value) > 0


def parse_id_list(value: str) -> list[int]:
    """`1,2,3` (empty parts ignored) in the given order without repeats; ValueError with a message."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not all(is_id(part) for part in parts):
        raise ValueError(_("Camera numbers must be whole numbers."))
    return list(dict.fromkeys(int(part) for part in parts))


def within_bounds(instant: datetime) -> bool:
    return EARLIEST <= instant <= LATEST


def day_within_bounds(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY
