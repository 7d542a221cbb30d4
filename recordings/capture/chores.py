"""Work on each capture node's own disk: the reconciler and the disk-pressure sweep (docs/nodes.md).

A node sees only its own recordings root, so this work runs on every node, against its own root. Beat
runs one task that sends a request to the queue of every live node (`node.<NODE_NAME>`, which every
capture process of that node consumes), and one process of the node takes it. A node that is down is
sent nothing, so no requests pile up for it; when it starts, its capture processes ask for the work
themselves (the catch-up). Two runs of one chore on one node never overlap (a lock in Redis, renewed
while the run lasts and free within a lease period of its process's death), and a request is served by
any run that started after it was made, so the several processes of a starting node run it once.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import redis
from celery import Task
from django.conf import settings

from . import lease, nodes

log = logging.getLogger(__name__)
T = TypeVar("T")

# A capture process keeps nodes.CHORE_THREADS of its Celery threads for chores and gives the rest to
# cameras: a chore past that would hold a thread a camera was promised (nodes.recorder_slots).
_chore_threads = threading.BoundedSemaphore(nodes.CHORE_THREADS)

# What a node runs when it starts, registered by the apps that own the work (in AppConfig.ready: integrity
# its reconciler, retention its disk-pressure sweep): each task with the delays after the start to run it at.
_on_start: dict[str, tuple[Task, tuple[float, ...]]] = {}


def on_node_start(task: Task, *delays: float) -> None:
    """Run `task(node, asked_at)` on every capture node when it starts, after each of `delays` seconds."""
    _on_start[task.name] = (task, delays or (0.0,))


def _redis_time(client: redis.Redis) -> float:
    # One clock for every machine: a request's time and a run's start are compared across nodes.
    seconds, microseconds = client.time()
    return seconds + microseconds / 1e6


def fan_out(task: Task, *, expires: float) -> list[str]:
    """Send `task(node, asked_at)` to the queue of every live capture node; returns the nodes asked. A
    request not taken within `expires` seconds is dropped (the next one replaces it)."""
    try:
        client = lease.client()
        live = nodes.live_nodes(redis_client=client)
        asked_at = _redis_time(client)
        for node in live:
            task.apply_async((node, asked_at), queue=nodes.node_queue(node), expires=expires)
    except redis.RedisError as exc:
        log.warning("%s not sent to the capture nodes, Redis unavailable: %s", task.name, exc.__class__.__name__)
        return []
    return live


def ask_at_start() -> None:
    """This node starts (a capture process is ready): its chores, now and after their delays."""
    try:
        now = _redis_time(lease.client())
        for task, delays in _on_start.values():
            for delay in delays:
                # A run that starts after the delay serves the request; one before does not.
                task.apply_async(
                    (settings.NODE_NAME, now + delay), queue=nodes.node_queue(settings.NODE_NAME), countdown=delay
                )
    except redis.RedisError as exc:
        log.warning("this node's catch-up not asked for, Redis unavailable: %s", exc.__class__.__name__)


def run_once(chore: str, *, node: str, asked_at: float, work: Callable[[], T]) -> T | None:
    """Run `work` for a request made at `asked_at` (Redis time) to `node`; None when it did not run: the
    request reached another node, a run started since serves it, or another run still holds the chore
    after two lease periods (the next request is served)."""
    if node != settings.NODE_NAME:
        log.warning("%s asked of node %s reached node %s: dropped", chore, node, settings.NODE_NAME)
        return None
    if not _chore_threads.acquire(blocking=False):
        log.warning("%s not run: this process's %d chore threads are busy", chore, nodes.CHORE_THREADS)
        return None
    try:
        return _run_once(chore, node=node, asked_at=asked_at, work=work)
    finally:
        _chore_threads.release()


def _run_once(chore: str, *, node: str, asked_at: float, work: Callable[[], T]) -> T | None:
    lock = lease.Lock(f"vms:node:{node}:{chore}:running", lease.new_holder_id())
    started_key = f"vms:node:{node}:{chore}:started"
    try:
        client = lease.client()
        # A killed process's lock expires within a lease period: wait for it rather than drop a catch-up.
        deadline = time.monotonic() + 2 * settings.CAPTURE_LEASE_SECONDS
        while not lock.acquire():
            if time.monotonic() > deadline:
                return None
            time.sleep(0.2)
        started = client.get(started_key)
        if started is not None and float(started) >= asked_at:
            lock.release()
            return None
        client.set(started_key, repr(_redis_time(client)))
    except redis.RedisError as exc:
        log.warning("%s not run, Redis unavailable: %s", chore, exc.__class__.__name__)
        return None
    with _held(lock):
        return work()


@contextlib.contextmanager
def _held(lock: lease.Lock) -> Iterator[None]:
    """Renew the lock every third of its lifetime while the block runs; free it after."""
    done = threading.Event()

    def renew() -> None:
        while not done.wait(lock.ttl_ms / 3000):
            with contextlib.suppress(redis.RedisError):
                lease.renew_all([lock])

    renewer = threading.Thread(target=renew, name="chore-lock", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()
        with contextlib.suppress(redis.RedisError):
            lock.release()
