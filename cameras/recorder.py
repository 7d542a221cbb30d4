"""What the cameras admin asks of the recorder: probe a stream, start recorders for enabled cameras.

The recorder (recordings) sits above cameras, so cameras imports nothing of it: recordings registers
its implementations here in its AppConfig.ready, which runs before any request is served.
"""

from collections.abc import Callable
from typing import Any

_probe: Callable[..., Any] | None = None
_wake: Callable[[], None] | None = None


def register(*, probe: Callable[..., Any], wake: Callable[[], None]) -> None:
    global _probe, _wake
    _probe, _wake = probe, wake


def probe(camera: Any) -> Any:
    """Open the camera's stream and say what it offers or why it cannot be read (str() is safe to show)."""
    if _probe is None:
        raise RuntimeError("no recorder registered (is the recordings app installed?)")
    return _probe(camera)


def wake_recorders() -> None:
    """Start recorders for enabled cameras that have none, once the current transaction commits."""
    if _wake is not None:
        _wake()
