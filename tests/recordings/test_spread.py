"""The dispatcher's choice of capture process: spread over nodes by their size, packed within a node up to
CAPTURE_CAMERAS_PER_PROCESS, never past a node's capacity."""

import pytest

from recordings.capture import nodes
from recordings.capture.nodes import CaptureProcess, Spread


def proc(node: str, pid: int, capacity: int = 0, target: int = 4, slots: int = 0) -> CaptureProcess:
    return CaptureProcess(f"capture.{node}.{pid}", node, pid, capacity, target, slots)


def choose(spread: Spread, n: int) -> list[str]:
    return [spread.choose().queue.removeprefix("capture.") for _ in range(n)]


def test_a_node_fills_one_process_up_to_its_target_before_the_next():
    spread = Spread([proc("a", 1), proc("a", 2), proc("a", 3)], holders=[])
    assert choose(spread, 9) == ["a.1"] * 4 + ["a.2"] * 4 + ["a.3"]


def test_the_process_already_recording_most_is_filled_first():
    # After a restart or a failover the cameras are not where the order of names would put them.
    spread = Spread([proc("a", 1), proc("a", 2)], holders=["a:2:x", "a:2:y", "a:1:z"])
    assert choose(spread, 3) == ["a.2", "a.2", "a.1"]


def test_past_every_target_cameras_go_to_the_least_loaded_process():
    spread = Spread([proc("a", 1, target=2), proc("a", 2, target=2)], holders=["a:1:x", "a:1:y", "a:1:z"])
    assert choose(spread, 4) == ["a.2", "a.2", "a.2", "a.1"]  # a.2 fills to 2, then 3 each, a.1 first by name


def test_cameras_are_spread_over_nodes_not_all_on_the_first():
    spread = Spread([proc("a", 1), proc("a", 2), proc("b", 1), proc("b", 2)], holders=[])
    chosen = choose(spread, 6)
    assert sorted(chosen) == ["a.1"] * 3 + ["b.1"] * 3  # each node packs its share into one process
    assert chosen[:2] in (["a.1", "b.1"], ["b.1", "a.1"])


def test_nodes_share_by_size_counting_what_each_already_records():
    # b has twice a's processes (no capacity: its size is its processes' targets together); a already
    # records 2 and "gone" (no live process) is not a node to send to.
    spread = Spread([proc("a", 1), proc("b", 1), proc("b", 2)], holders=["a:1:x", "a:1:y", "gone:9:q"])
    chosen = choose(spread, 7)
    assert chosen.count("b.1") + chosen.count("b.2") == 6 and chosen.count("a.1") == 1
    assert chosen[:4] == ["b.1"] * 4  # 4/8 of b = 2/4 of a: tie broken by the smaller load


def test_nodes_share_by_capacity_and_a_full_node_takes_no_more():
    big, small = proc("big", 1, capacity=6), proc("small", 1, capacity=2)
    spread = Spread([big, small], holders=["small:1:x"])
    chosen = choose(spread, 7)
    assert chosen.count("small.1") == 1 and chosen.count("big.1") == 6
    assert spread.choose() is None  # every node full


def test_a_full_node_takes_no_more_cameras_and_all_full_is_none():
    a, b = proc("a", 1, capacity=2), proc("b", 1, capacity=1)
    spread = Spread([a, b], holders=["a:1:x"])
    assert [spread.choose().node for _ in range(2)] == ["b", "a"]
    assert spread.choose() is None


def test_a_process_gets_no_more_cameras_than_it_has_recorder_threads():
    # Past their targets, a.1 has threads for one more camera only; then a.2 takes the rest, up to its own.
    spread = Spread([proc("a", 1, target=2, slots=3), proc("a", 2, target=2, slots=4)], holders=[])
    assert choose(spread, 7) == ["a.1", "a.1", "a.2", "a.2", "a.1", "a.2", "a.2"]
    assert spread.choose() is None  # a camera sent now would wait in a queue, unrecorded


def test_a_node_without_a_free_thread_is_full_and_the_other_takes_its_share():
    spread = Spread([proc("a", 1, slots=1), proc("b", 1, slots=8)], holders=["a:1:x"])
    assert choose(spread, 3) == ["b.1"] * 3


def test_a_process_keeps_threads_for_its_nodes_chores():
    assert nodes.recorder_slots(64) == 64 - nodes.CHORE_THREADS
    assert nodes.recorder_slots(2) == 1  # a tiny pool still records one camera


def test_a_registration_without_a_target_uses_the_dispatchers_setting(settings):
    settings.NODE_NAME, settings.CAPTURE_CAMERAS_PER_PROCESS = "n1", 2
    spread = Spread([CaptureProcess("capture.n1.1", "n1", 1, 0), CaptureProcess("capture.n1.2", "n1", 2, 0)], [])
    assert choose(spread, 3) == ["n1.1", "n1.1", "n1.2"]


def test_a_process_registers_its_target(redis_db, settings):
    settings.NODE_NAME, settings.CAPTURE_CAMERAS_PER_PROCESS, settings.CAPTURE_NODE_CAPACITY = "n1", 7, 30
    nodes.register("capture.n1.p", slots=60, redis_client=redis_db)
    (process,) = nodes.live_processes(redis_client=redis_db)
    assert (process.node, process.capacity, process.target, process.slots) == ("n1", 30, 7, 60)


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
