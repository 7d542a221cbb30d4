"""A capture process spends no CPU on Celery machinery it does not use: no remote control (its pub/sub
channel and health checks), a longer BRPOP; other workers keep Celery's defaults."""

from types import SimpleNamespace

from recordings import worker
from tests.support.waiting import wait_for


def conf() -> SimpleNamespace:
    return SimpleNamespace(worker_enable_remote_control=True, broker_transport_options={"visibility_timeout": 60})


def test_a_capture_process_turns_off_remote_control_and_polls_less_often():
    c = conf()
    worker._quiet_consumer("capture-1@h", instance=None, conf=c, options={"queues": ["capture"]})
    assert c.worker_enable_remote_control is False
    assert c.broker_transport_options == {"visibility_timeout": 60, "polling_interval": worker.BROKER_POLL_SECONDS}


def test_another_worker_keeps_celerys_defaults():
    c = conf()
    worker._quiet_consumer("default@h", instance=None, conf=c, options={"queues": "default"})
    assert c == conf()


def test_a_running_capture_process_does_not_listen_for_remote_control(capture_stack, redis_db):
    db = str(redis_db.connection_pool.connection_kwargs.get("db", 0))

    def listeners() -> int:
        # Celery's remote control is a pub/sub subscription (kombu's fanout) of each listening worker.
        return sum(1 for c in redis_db.client_list() if c["db"] == db and int(c["sub"]) + int(c["psub"]) > 0)

    capture_stack.capture_worker("capture-quiet")
    capture_stack.dispatcher()  # a default-queue worker does listen: the check can see a listener
    assert wait_for(listeners, timeout=10, what="the default worker listening") == 1
