"""Holding a fault for a set time: the fault's length is the scenario, not a guess at a delay."""

import time


def hold(seconds: float) -> None:
    """Keep the current fault in place for `seconds` (a camera off, a service cut)."""
    time.sleep(seconds)
