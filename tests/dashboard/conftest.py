"""Every dashboard test starts with a web process that has not looked at the workers yet (the grace of
dashboard/process_watch.py starts again), as a freshly started Daphne would."""

from collections.abc import Iterator

import pytest

from dashboard import process_watch


@pytest.fixture(autouse=True)
def fresh_process_watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[process_watch.ProcessWatch]:
    watch = process_watch.ProcessWatch()
    monkeypatch.setattr(process_watch, "watch", watch)
    yield watch
