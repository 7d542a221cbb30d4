"""`manage.py capture_node`: this node's capture processes, started, kept running and stopped together.

One capture process per core by default (CAPTURE_PROCESSES): the recorders' Python work and the GIL of
one process are then spread over every core (docs/capture.md). Each is the process table's
`capture-process` line with its own Celery name; its output goes to ours (honcho, docker). A process
that exits is started again after a short pause; SIGTERM or Ctrl-C stops them all at once, each closing
and indexing its segments, and a capture process dies with this one (PR_SET_PDEATHSIG)."""

import os
import signal
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from birzai_vms.processes import ManagedProcess, command, stop_together

RESTART_PAUSE_SECONDS = 2.0
# Longer than a capture process's own shutdown (2 s grace, then exit), shorter than the demo's wait (10 s).
STOP_TIMEOUT_SECONDS = 7.0
# What the operator may set for the capture processes, passed on to each (birzai_vms/processes.py).
PASSED = ("CAPTURE_CONCURRENCY", "LOG_LEVEL")


class Command(BaseCommand):
    help = "Run this node's capture processes (CAPTURE_PROCESSES, default one per core) until SIGTERM."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        base = os.environ.get("CAPTURE_NAME") or "capture"
        passed = {name: os.environ[name] for name in PASSED if os.environ.get(name)}
        children = [
            ManagedProcess(
                f"{base}-{k}",
                command("capture-process", env={**passed, "CAPTURE_NAME": f"{base}-{k}"}, python=sys.executable),
                inherit_output=True,
            )
            for k in range(1, settings.CAPTURE_PROCESSES + 1)
        ]
        self.stdout.write(f"capture node {settings.NODE_NAME}: {len(children)} capture processes", ending="\n")
        self.stdout.flush()
        exited_at: dict[str, float] = {}
        for child in children:
            child.start()
        while not stop.wait(0.5):
            for child in children:
                if child.is_running():
                    continue
                # Restart, but never in a tight loop (a process that cannot start logs why, once a pause).
                first_seen = exited_at.setdefault(child.name, time.monotonic())
                if time.monotonic() - first_seen >= RESTART_PAUSE_SECONDS:
                    self.stderr.write(f"{child.name} exited with status {child.returncode}; starting it again")
                    exited_at.pop(child.name)
                    child.start()
        stop_together(children, STOP_TIMEOUT_SECONDS)  # each closes its segments in parallel
