"""The capture worker's own queue and its node's, its registration, and its warm shutdown.

Connected here, by the app that owns the recorders (RecordingsConfig.ready imports this module), not
by the Celery app in birzai_vms, which imports no app. Only a worker consuming the `capture` queue is a
capture process; the default-queue worker connects the same signals and ignores them."""

from typing import Any

from celery.signals import celeryd_after_setup, celeryd_init, worker_ready, worker_shutting_down
from django.conf import settings

from .capture import chores, keeper, nodes
from .capture.supervisor import request_shutdown

_capture_process = False
# How long the consumer's BRPOP waits before it asks again (kombu's default: 1 s). A camera sent to the
# process still arrives at once (BRPOP returns on the first message); an idle process wakes less.
BROKER_POLL_SECONDS = 5.0


@celeryd_init.connect
def _quiet_consumer(sender: str, instance: Any, conf: Any, options: dict[str, Any], **kwargs: object) -> None:
    """A capture process's Celery loop costs CPU every second whatever the process records, and every
    process of a node pays it (docs/capture.md, "Packing"): no remote control (nothing here broadcasts to
    workers: /readyz reads heartbeats, the dispatcher registrations; it kept a pub/sub connection and its
    health checks), and a longer BRPOP. Set before the consumer is built, which reads both."""
    queues = options.get("queues") or []
    if "capture" not in (queues.split(",") if isinstance(queues, str) else queues):
        return
    conf.worker_enable_remote_control = False
    conf.broker_transport_options = {**(conf.broker_transport_options or {}), "polling_interval": BROKER_POLL_SECONDS}


@celeryd_after_setup.connect
def _consume_own_queue(sender: str, instance: Any, **kwargs: object) -> None:
    """A capture process also consumes its own queue, where the dispatcher sends the cameras it chose
    for this process (capture/nodes.py), and its node's, where the work on the node's own disk is sent
    (capture/chores.py)."""
    global _capture_process
    queues = instance.app.amqp.queues
    if "capture" not in queues.consume_from:
        return
    _capture_process = True
    queue = nodes.process_queue(sender)
    queues.select_add(queue)
    queues.select_add(nodes.node_queue(settings.NODE_NAME))
    keeper.get_keeper().queue = queue
    keeper.get_keeper().slots = nodes.recorder_slots(instance.concurrency)


@worker_ready.connect
def _register(**kwargs: object) -> None:
    if _capture_process:
        keeper.get_keeper().register_now()  # at once: the dispatcher may send cameras here from now on
        chores.ask_at_start()  # the node's disk as it was left: reconciled, and not over its watermark


@worker_shutting_down.connect
def _stop_recorders(**kwargs: object) -> None:
    if _capture_process:
        keeper.get_keeper().unregister()  # no new cameras for a process that is stopping
    request_shutdown(exit_when_stuck=True)
