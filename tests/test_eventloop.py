"""The test helper that runs websocket conversations cannot be hung by a task that ignores cancellation."""

import asyncio
import time

import pytest

from tests.support.eventloop import run_bounded


def test_a_task_that_ignores_cancellation_does_not_hang_the_run():
    async def stubborn() -> None:
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue  # what a badly behaved client library might do

    async def conversation() -> str:
        asyncio.get_running_loop().create_task(stubborn())
        await asyncio.sleep(0)
        return "done"

    began = time.monotonic()
    assert run_bounded(conversation()) == "done"
    assert time.monotonic() - began < 10


def test_a_conversation_that_takes_too_long_fails_the_test():
    with pytest.raises(TimeoutError):
        run_bounded(asyncio.sleep(60), timeout=0.2)
