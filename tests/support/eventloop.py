"""Running a test's coroutine (a websocket conversation) so that it can fail, but never hang the run."""

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

import pytest


def run_bounded(coro: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
    """Run `coro` in a fresh event loop on its own thread, for at most `timeout` seconds.

    asyncio.run and async_to_sync wait, when the loop closes, for every task left to finish its
    cancellation; a Redis read that does not (channels-redis's receive, seen once in a full run) then
    hangs the whole test run, beyond the reach of pytest-timeout. Here what is left gets 2 s."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        loop = asyncio.new_event_loop()
        try:
            outcome["value"] = loop.run_until_complete(asyncio.wait_for(coro, timeout))
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread below
            outcome["error"] = exc
        finally:
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            if left:
                loop.run_until_complete(asyncio.wait(left, timeout=2))
            loop.close()

    thread = threading.Thread(target=target, name="test-event-loop", daemon=True)
    thread.start()
    thread.join(timeout + 10)
    if thread.is_alive():
        pytest.fail(f"the event loop did not finish within {timeout + 10:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
