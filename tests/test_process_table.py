"""One table of processes (birzai_vms/processes.py PROCESS_TABLE): the Procfile, docker-compose.yml,
`make demo`, the tests' CaptureStack and the benchmarks all run the argv it gives, and the demo run on it
starts, records and stops without leaving a process behind."""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from birzai_vms.processes import CHILD_PROCESS_TABLE, PROCESS_TABLE, SETUP_PROCESS_TABLE, command, procfile_text
from simulator.fleet import free_port, free_port_range
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent

# The values docker-compose.yml runs with (its x-app environment sets VAR_DIR; web listens on every
# interface of its container).
COMPOSE_ENV = {"WEB_BIND": "0.0.0.0", "VAR_DIR": "/var/lib/birzai-vms"}


def shell_words(line: str, env: dict[str, str]) -> list[str]:
    """What /bin/sh (as honcho runs a Procfile line) makes of a table line: its argv."""
    script = f'set -- {line}\nprintf "%s\\0" "$@"'
    out = subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, check=True).stdout
    return out.decode().split("\0")[:-1]


def test_procfile_is_generated_from_the_table_and_honcho_reads_the_same_lines() -> None:
    from honcho.environ import parse_procfile

    text = (ROOT / "Procfile").read_text()
    assert text == procfile_text(), "Procfile is stale: regenerate it from PROCESS_TABLE (see its first lines)"
    assert parse_procfile(text).processes == PROCESS_TABLE
    # scripts/demo.py lengthens honcho's wait between SIGTERM and SIGKILL through this module constant.
    import honcho.manager

    assert isinstance(honcho.manager.KILL_WAIT, int | float)
    # honcho gives every process PORT; web must be the one line that listens on it.
    assert [name for name, line in PROCESS_TABLE.items() if "${PORT" in line] == ["web"]


@pytest.mark.parametrize(
    "env",
    [
        {},
        COMPOSE_ENV,
        {"PORT": "18000", "LOG_LEVEL": "DEBUG", "CAPTURE_CONCURRENCY": "8", "CAPTURE_NAME": "cap-x"},
        {"VAR_DIR": "/tmp/v", "DEMO_CAMERAS": "2", "SIMULATOR_ARGS": "--shared-encoder  --fps 5"},
        {"SIMULATOR_ARGS": "", "WORKER_CONCURRENCY": ""},
    ],
    ids=["defaults", "compose", "overrides", "split-words", "empty-values"],
)
def test_command_builds_the_argv_the_shell_runs_for_every_line(env: dict[str, str]) -> None:
    for name, line in {**PROCESS_TABLE, **SETUP_PROCESS_TABLE, **CHILD_PROCESS_TABLE}.items():
        assert command(name, env=env) == shell_words(line, {"PATH": os.environ["PATH"], **env}), name


def test_docker_compose_services_and_the_image_run_the_table_lines() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["x-app"]["environment"]["VAR_DIR"] == COMPOSE_ENV["VAR_DIR"]
    for name in ("web", "worker", "capture", "beat"):
        assert compose["services"][name]["command"] == command(name, env=COMPOSE_ENV), name
    cmd = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    assert json.loads(cmd.removeprefix("CMD ")) == command("web", env=COMPOSE_ENV)


def differences(argv: list[str], production: list[str]) -> dict[str, tuple[str, str]]:
    """Option -> (production's value, this argv's) where the two differ, for argv of equal shape."""
    assert len(argv) == len(production), (argv, production)
    return {production[i - 1]: (production[i], argv[i]) for i in range(len(argv)) if argv[i] != production[i]}


def test_the_tests_and_the_benchmarks_run_production_workers_and_web_with_only_name_port_and_concurrency_changed(
    tmp_path: Path,
) -> None:
    from bench import dashboard, recording
    from tests.conftest import capture_worker_argv, dispatcher_argv
    from tests.support.webserver import daphne_argv

    capture = command("capture-process", python=sys.executable)
    worker = command("worker", python=sys.executable)
    schedule = ["-B", "-s", str(tmp_path / "beat")]

    assert differences(capture_worker_argv("cap-a"), capture) == {"-c": ("128", "16"), "-n": ("capture@%h", "cap-a@%h")}
    tests_dispatcher = dispatcher_argv(tmp_path / "beat")
    assert tests_dispatcher[-3:] == schedule
    assert differences(tests_dispatcher[:-3], worker) == {"-c": ("4", "2"), "-n": ("default@%h", "dispatcher@%h")}

    assert set(differences(recording.capture_argv(), capture)) == {"-c", "-n"}
    bench_dispatcher = recording.dispatcher_argv(tmp_path / "beat")
    assert bench_dispatcher[-3:] == schedule
    assert set(differences(bench_dispatcher[:-3], worker)) == {"-c", "-n"}
    assert daphne_argv(8123) == command("web", env={"PORT": "8123"}, python=sys.executable)
    assert dashboard.daphne_argv(8123) == command("web", env={"PORT": "8123"}, python=sys.executable)
    dashboard_capture, dashboard_dispatcher = dashboard.worker_argvs(tmp_path)
    assert set(differences(dashboard_capture, capture)) == {"-c", "-n"}
    assert dashboard_dispatcher[-3:] == schedule
    assert set(differences(dashboard_dispatcher[:-3], worker)) == {"-c", "-n"}


# --- the demo, for real ---------------------------------------------------------------------------
def process_start(pid: int) -> str | None:
    """The process's start time (to tell it from a later one with the same PID), None once gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def descendants(pid: int) -> dict[int, list[str]]:
    """Every live process below pid, with its argv."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found: dict[int, list[str]] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")[:-1]
            except OSError:
                continue
            todo.append(child)
    return found


def test_the_demo_runs_the_procfile_records_and_leaves_no_process_behind_after_ctrl_c(tmp_path: Path) -> None:
    var = tmp_path / "var"
    port, redis_port = free_port(), free_port()
    cameras = 2
    base = free_port_range(cameras + 1)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "VMS_MODE", "RECORDINGS_ROOT"}}
    env.update(
        VAR_DIR=str(var),
        PORT=str(port),
        SIMULATOR_BASE_PORT=str(base),
        DEMO_REDIS_PORT=str(redis_port),
        DEMO_CAMERAS=str(cameras),
        DEMO_SIMULATOR_ARGS="--shared-encoder --width 640 --height 360",
        NO_COLOR="1",
    )
    log = tmp_path / "demo.log"
    with open(log, "wb") as out:
        demo = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "demo.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our Ctrl-C goes to the demo alone, as a terminal's would
        )
    started: dict[int, str] = {}
    try:

        def demo_runs() -> None:
            if demo.poll() is not None:
                raise AssertionError(f"the demo exited with {demo.returncode}:\n{log.read_text()[-4000:]}")

        def dashboard_answers() -> bool:
            demo_runs()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/dashboard/", timeout=2) as response:
                    return response.status == 200
            except urllib.error.HTTPError as exc:
                return exc.code in (301, 302)  # the login page: the web server is up
            except OSError:
                return False

        wait_for(dashboard_answers, timeout=90, what="the demo's dashboard URL")

        def segment() -> Path | None:
            demo_runs()
            return next((var / "recordings").rglob("*.ts"), None)

        wait_for(segment, timeout=40, what="a recorded segment")

        children = descendants(demo.pid)
        started = {pid: start for pid in children if (start := process_start(pid)) is not None}
        # Every Procfile process runs exactly the table's argv (`python` is the venv's, found on PATH).
        demo_env = {"VAR_DIR": str(var), "PORT": str(port), "DEMO_CAMERAS": str(cameras)}
        demo_env["SIMULATOR_ARGS"] = env["DEMO_SIMULATOR_ARGS"]
        argvs = list(children.values())
        for name in PROCESS_TABLE:
            assert command(name, env=demo_env) in argvs, f"{name} not running as the table says: {argvs}"
        assert any("redis-server" in argv[0] and str(redis_port) in " ".join(argv) for argv in argvs), argvs
    finally:
        demo.send_signal(signal.SIGINT)

        def all_gone() -> bool:
            return demo.poll() is not None and all(process_start(pid) != start for pid, start in started.items())

        try:
            wait_for(all_gone, timeout=15, what="the demo and every process it started to be gone after Ctrl-C")
        finally:
            if demo.poll() is None:
                os.killpg(demo.pid, signal.SIGKILL)
                demo.wait()
            for pid, start in started.items():
                if process_start(pid) == start:
                    os.kill(pid, signal.SIGKILL)
    assert demo.returncode == 0, log.read_text()[-4000:]
    text = log.read_text()
    assert "Dashboard:" in text and "All stopped." in text
    assert "SIGKILL" not in text, "a process had to be killed: it did not stop on SIGTERM in time"
