"""Two benchmarks never share a database: the second is refused with a message that says what to do."""

import argparse
import signal
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.db import connection

from bench.common import BenchError, hold_database, redact, run_bench
from tests.support.waiting import wait_for


@pytest.fixture
def url(db: None) -> str:
    """The test database's URL. Advisory locks are per database: no benchmark running meanwhile on a
    database of its own is disturbed by this test, nor disturbs it."""
    conf = connection.settings_dict
    password = f":{quote(conf['PASSWORD'], safe='')}" if conf["PASSWORD"] else ""
    host = f"{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}"
    return f"postgres://{quote(conf['USER'], safe='')}{password}@{host}/{conf['NAME']}"


@pytest.fixture
def held(url: str) -> Iterator[object]:
    lock = hold_database(url)
    yield lock
    lock.close()


def try_hold(url: str) -> object | None:
    try:
        return hold_database(url)
    except BenchError:
        return None


def test_a_second_holder_is_refused_until_the_first_lets_go(url, held):
    with pytest.raises(BenchError) as refused:
        hold_database(url)
    assert str(refused.value) == (
        f"another benchmark is running against {redact(url)}; "
        "wait for it, or give this one a database of its own (DATABASE_URL)"
    )
    held.close()
    # The server releases the lock when it has seen the connection end: a moment, not at once.
    second = wait_for(lambda: try_hold(url), timeout=10, what="the lock released with its connection")
    second.close()


def test_a_benchmark_started_on_a_held_database_stops_before_it_starts_anything(url, held, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", url)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    made = []
    try:
        code, result = run_bench(argparse.Namespace(), lambda *args: made.append(args), lambda bench: 1, prefix="t")
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert (code, result, made) == (2, None, [])
    assert "bench: cannot run: another benchmark is running against" in capsys.readouterr().err
