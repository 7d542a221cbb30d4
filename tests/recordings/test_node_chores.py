"""Work on a node's own disk is asked of every live node, runs on that node only, once per request, never
two runs of one chore at a time on a node, and after a killed run's lock expires (recordings/capture/chores.py)."""

import base64
import json
import threading
import time

import pytest

from integrity.tasks import reconcile_node, rehash_node_sample
from recordings.capture import chores, lease, nodes


@pytest.fixture
def node(settings, redis_db):
    settings.NODE_NAME = "node-a"
    settings.CAPTURE_LEASE_SECONDS = 1.0
    lease.client.cache_clear()
    yield "node-a"
    lease.client.cache_clear()


def now(redis_db) -> float:
    seconds, micro = redis_db.time()
    return seconds + micro / 1e6


def test_a_request_for_another_node_is_not_run_here(node, redis_db):
    ran = []
    assert chores.run_once("reconcile", node="node-b", asked_at=now(redis_db), work=lambda: ran.append(1)) is None
    assert ran == []


def test_a_run_started_after_a_request_serves_it(node, redis_db):
    asked = now(redis_db)
    assert chores.run_once("reconcile", node=node, asked_at=asked, work=lambda: "first") == "first"
    # Several processes of a starting node asked at the same moment: one run serves them all.
    assert chores.run_once("reconcile", node=node, asked_at=asked, work=lambda: "again") is None
    # A request made after that run started is run.
    assert chores.run_once("reconcile", node=node, asked_at=now(redis_db), work=lambda: "later") == "later"
    # Each chore has its own runs.
    assert chores.run_once("disk-pressure", node=node, asked_at=asked, work=lambda: "other") == "other"


def test_a_killed_runs_lock_expires_and_the_catch_up_runs_then(node, redis_db):
    # A run whose process was SIGKILLed left its lock, which nobody renews any more.
    assert lease.Lock(f"vms:node:{node}:reconcile:running", "node-a:1:dead").acquire()
    started = time.monotonic()
    assert chores.run_once("reconcile", node=node, asked_at=now(redis_db), work=lambda: "ran") == "ran"
    assert time.monotonic() - started >= 0.5  # it waited for the lock (1 s lease) to expire


def test_a_run_holds_the_chore_while_it_lasts(node, redis_db):
    inner = []

    def work():
        # Longer than the lock's lifetime: it is renewed while the run lasts.
        time.sleep(1.5)
        inner.append(chores.run_once("reconcile", node=node, asked_at=0.0, work=lambda: "overlapping"))
        return "outer"

    assert chores.run_once("reconcile", node=node, asked_at=now(redis_db), work=work) == "outer"
    assert inner == [None]  # waited two lease periods for the running one, then left the request to it
    assert not redis_db.exists(f"vms:node:{node}:reconcile:running")  # freed at the end


def test_chores_never_take_more_threads_than_a_process_keeps_for_them(node, redis_db):
    """Past nodes.CHORE_THREADS running at once, a chore would hold a thread a camera was promised: it is
    left to the next request instead, at once, and the threads are free again after."""
    release = threading.Event()
    started = threading.Barrier(nodes.CHORE_THREADS + 1)

    def long_chore(name: str) -> None:
        def work() -> str:
            started.wait(5)
            release.wait(10)
            return name

        chores.run_once(name, node=node, asked_at=now(redis_db), work=work)

    names = [f"chore-{k}" for k in range(nodes.CHORE_THREADS)]
    threads = [threading.Thread(target=long_chore, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    try:
        started.wait(5)  # every kept thread is busy
        ran = []
        began = time.monotonic()
        assert chores.run_once("one-more", node=node, asked_at=now(redis_db), work=lambda: ran.append(1)) is None
        assert ran == [] and time.monotonic() - began < 0.5
    finally:
        release.set()
        for thread in threads:
            thread.join(10)
    assert chores.run_once("one-more", node=node, asked_at=now(redis_db), work=lambda: "ran") == "ran"


def test_beat_asks_every_live_node_on_its_own_queue(node, redis_db):
    fresh = time.time()
    for queue, name in (("capture.node-a.capture-1@h", "node-a"), ("capture.node-b.capture-1@h", "node-b")):
        redis_db.hset(nodes.PROCESSES_KEY, queue, json.dumps({"node": name, "pid": 1, "capacity": 0, "seen": fresh}))
    redis_db.hset(
        nodes.PROCESSES_KEY,
        "capture.node-c.capture-1@h",
        json.dumps({"node": "node-c", "pid": 1, "capacity": 0, "seen": fresh - 60}),
    )

    assert chores.fan_out(reconcile_node, expires=60) == ["node-a", "node-b"]

    # One request in each live node's queue, none for the node that is down (it catches up when it starts).
    assert redis_db.llen("node.node-a") == 1 and redis_db.llen("node.node-b") == 1
    assert not redis_db.exists("node.node-c")
    message = json.loads(redis_db.lindex("node.node-b", 0))
    args = json.loads(base64.b64decode(message["body"]))[0]
    assert args[0] == "node-b"


def test_every_node_re_hashes_a_sample_of_its_own_segments_only(node, redis_db, settings, monkeypatch):
    # Beat asks each live node; a node runs the sample of its own rows (another node's request is dropped).
    fresh = time.time()
    for name in ("node-a", "node-b"):
        redis_db.hset(
            nodes.PROCESSES_KEY,
            f"capture.{name}.c@h",
            json.dumps({"node": name, "pid": 1, "capacity": 0, "seen": fresh}),
        )
    from integrity import tasks

    assert chores.fan_out(rehash_node_sample, expires=60) == ["node-a", "node-b"]
    ran = []
    monkeypatch.setattr(tasks, "rehash_segments_of_this_node", lambda: ran.append(settings.NODE_NAME) or 0)
    assert rehash_node_sample("node-b", now(redis_db)) is None and ran == []
    assert rehash_node_sample("node-a", now(redis_db)) == 0 and ran == ["node-a"]
