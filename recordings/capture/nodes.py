"""Capture processes and nodes: who is alive, how loaded, and which one records a camera next.

Every capture process consumes the shared `capture` queue and a queue of its own (named after its node
and Celery name). Its keeper registers it in Redis every round; the dispatcher sends each camera that
needs a recorder to the least loaded live node below its capacity (CAPTURE_NODE_CAPACITY), and within that
node to the process it is filling (up to CAPTURE_CAMERAS_PER_PROCESS), counting load from the recording
leases themselves (a lease's holder names its node and process). Before, any worker's idle threads took
the next task from the one shared queue, so the first process to ask took every camera (docs/nodes.md).
"""

import json
import os
import time
from collections import Counter
from dataclasses import dataclass

import redis
from django.conf import settings

PROCESSES_KEY = "vms:capture:processes"


@dataclass(frozen=True)
class CaptureProcess:
    """A live capture process, as its last registration says."""

    queue: str
    node: str
    pid: int
    capacity: int  # its node's CAPTURE_NODE_CAPACITY; 0: no limit
    target: int = 0  # cameras its node gives it before the next process (CAPTURE_CAMERAS_PER_PROCESS); 0: unknown
    slots: int = 0  # cameras it has recorder threads for (its Celery pool less the chores'); 0: unknown


def process_queue(worker_name: str) -> str:
    """The queue of one capture process: node and Celery name, stable across its restarts (tasks left in
    it by a dispatcher while the process was away are consumed and dropped by the lease, never lost)."""
    return f"capture.{settings.NODE_NAME}.{worker_name}"


def node_queue(node: str) -> str:
    """The queue every capture process of `node` consumes besides its own: work on that node's own disk
    (the reconciler, the disk-pressure sweep: capture/chores.py)."""
    return f"node.{node}"


# Threads of a capture process's pool kept for its node's chores (capture/chores.py): never given a camera.
CHORE_THREADS = 4


def recorder_slots(pool_size: int) -> int:
    """How many cameras a capture process with `pool_size` Celery threads can record at once."""
    return max(pool_size - CHORE_THREADS, 1)


def register(queue: str, *, redis_client: redis.Redis, slots: int = 0, now: float | None = None) -> None:
    """This process is alive, takes cameras from `queue` and has threads for `slots` of them (0: unknown;
    called every keeper round)."""
    entry = {
        "node": settings.NODE_NAME,
        "pid": os.getpid(),
        "capacity": settings.CAPTURE_NODE_CAPACITY,
        "target": settings.CAPTURE_CAMERAS_PER_PROCESS,
        "slots": slots,
        "seen": time.time() if now is None else now,
    }
    redis_client.hset(PROCESSES_KEY, queue, json.dumps(entry))


def unregister(queue: str, *, redis_client: redis.Redis) -> None:
    redis_client.hdel(PROCESSES_KEY, queue)


def live_processes(*, redis_client: redis.Redis, now: float | None = None) -> list[CaptureProcess]:
    """Processes registered within a lease period; older registrations (dead processes) are removed."""
    now = time.time() if now is None else now
    live, stale = [], []
    for queue, raw in redis_client.hgetall(PROCESSES_KEY).items():
        try:
            entry = json.loads(raw)
            seen = float(entry["seen"])
            process = CaptureProcess(
                queue.decode(),
                str(entry["node"]),
                int(entry["pid"]),
                int(entry["capacity"]),
                int(entry.get("target") or 0),  # registered by an older release: the dispatcher's own setting
                int(entry.get("slots") or 0),
            )
        except (ValueError, KeyError, TypeError):
            stale.append(queue)
            continue
        if now - seen <= settings.CAPTURE_LEASE_SECONDS:
            live.append(process)
        else:
            stale.append(queue)
    if stale:
        redis_client.hdel(PROCESSES_KEY, *stale)
    return sorted(live, key=lambda p: p.queue)


def live_nodes(*, redis_client: redis.Redis) -> list[str]:
    """The nodes with at least one live capture process."""
    return sorted({p.node for p in live_processes(redis_client=redis_client)})


def holder_process(holder: str) -> tuple[str, int] | None:
    """(node, pid) of a lease holder "<node>:<pid>:<nonce>" (lease.new_holder_id)."""
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


class Spread:
    """Chooses a process for each camera in turn, counting the cameras already recorded (live leases) and
    those chosen in this round.

    Across nodes, the node least loaded relative to its size (CAPTURE_NODE_CAPACITY, or with no limit its
    processes' targets together) among those below their capacity: every node takes its share, not the
    first that asks. Within the node, the most loaded process still below its target
    (CAPTURE_CAMERAS_PER_PROCESS), so one process fills before the next starts: every process has a fixed
    CPU cost (indexer, keeper, Celery's loop) whatever it records, and one GIL is far from busy at the
    target (docs/capture.md, "Packing"). Once every process of the node is at its target, the least loaded.
    A process is never given more cameras than it has recorder threads for (`slots`): a camera sent there
    would wait in its queue unrecorded. A node whose processes are all full is full.
    """

    def __init__(self, processes: list[CaptureProcess], holders: list[str]) -> None:
        self.processes = processes
        by_process = Counter(p for h in holders if (p := holder_process(h)) is not None)
        self.process_load = {p.queue: by_process[(p.node, p.pid)] for p in processes}
        self.node_load: Counter[str] = Counter()
        for (node, _pid), count in by_process.items():
            self.node_load[node] += count
        self.capacity = {p.node: p.capacity for p in processes}
        self.target = {p.queue: p.target or settings.CAPTURE_CAMERAS_PER_PROCESS for p in processes}
        self.size: Counter[str] = Counter()
        for p in processes:
            self.size[p.node] += self.target[p.queue]

    def has_thread(self, process: CaptureProcess) -> bool:
        return not process.slots or self.process_load[process.queue] < process.slots

    def choose(self) -> CaptureProcess | None:
        """The process for the next camera (its load counted), or None when every node is full."""
        open_nodes = {
            p.node
            for p in self.processes
            if self.has_thread(p) and (not self.capacity[p.node] or self.node_load[p.node] < self.capacity[p.node])
        }
        if not open_nodes:
            return None
        node = min(
            open_nodes,
            key=lambda n: (self.node_load[n] / (self.capacity[n] or self.size[n]), self.node_load[n], n),
        )
        mine = [p for p in self.processes if p.node == node and self.has_thread(p)]
        filling = [p for p in mine if self.process_load[p.queue] < self.target[p.queue]]
        if filling:
            chosen = min(filling, key=lambda p: (-self.process_load[p.queue], p.queue))
        else:
            chosen = min(mine, key=lambda p: (self.process_load[p.queue], p.queue))
        self.process_load[chosen.queue] += 1
        self.node_load[chosen.node] += 1
        return chosen
