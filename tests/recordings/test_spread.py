"""The dispatcher's choice of capture process: the least loaded live process, within each node's capacity."""

import pytest

from recordings.capture import nodes
from recordings.capture.nodes import CaptureProcess, Spread


def proc(node: str, pid: int, capacity: int = 0) -> CaptureProcess:
    return CaptureProcess(f"capture.{node}.{pid}", node, pid, capacity)


def test_cameras_go_to_the_least_loaded_process_counting_what_each_already_records():
    a1, a2, b1 = proc("a", 1), proc("a", 2), proc("b", 1)
    spread = Spread([a1, a2, b1], holders=["a:1:x", "a:1:y", "a:2:z", "gone:9:q"])
    chosen = [spread.choose().queue for _ in range(4)]
    assert chosen == [b1.queue, b1.queue, a2.queue, b1.queue]  # then all at 2 each, b1 first by name


def test_a_full_node_takes_no_more_cameras_and_all_full_is_none():
    a, b = proc("a", 1, capacity=2), proc("b", 1, capacity=1)
    spread = Spread([a, b], holders=["a:1:x"])
    assert [spread.choose().node for _ in range(2)] == ["b", "a"]
    assert spread.choose() is None


@pytest.mark.parametrize(
    ("holder", "expected"),
    [("node-a:123:abcd", ("node-a", 123)), ("host:with:colons:7:ff", ("host:with:colons", 7)), ("bad", None)],
)
def test_a_lease_holder_names_its_node_and_process(holder, expected):
    assert nodes.holder_process(holder) == expected


def test_only_recently_registered_processes_are_live(redis_db, settings):
    settings.NODE_NAME, settings.CAPTURE_LEASE_SECONDS = "n1", 6
    nodes.register("capture.n1.old", redis_client=redis_db, now=100.0)
    nodes.register("capture.n1.new", redis_client=redis_db, now=104.0)
    assert [p.queue for p in nodes.live_processes(redis_client=redis_db, now=108.0)] == ["capture.n1.new"]
    assert redis_db.hkeys(nodes.PROCESSES_KEY) == [b"capture.n1.new"]  # the dead one is forgotten
