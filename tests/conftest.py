"""Fixtures: real PostgreSQL and Redis, real simulated RTSP cameras, real Celery capture workers."""

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.backends.base.creation import TEST_DATABASE_PREFIX

from birzai_vms.processes import ManagedProcess, command
from simulator.fleet import SimulatedCamera, free_port
from tests.support.smtp import Mailbox
from tests.support.waiting import wait_for

BASE_DIR = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            "The tests run on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/birzai_vms "
            "(make test does) and REDIS_URL=redis://127.0.0.1:6379/9."
        )


@pytest.fixture(scope="session", autouse=True)
def _end_worker_sessions(django_db_setup: None, django_db_blocker: object) -> Iterator[None]:
    """Killed workers' database sessions can outlive them by a moment; end them before the test
    database is dropped."""
    yield
    # pytest-django creates the test database only when a collected test uses it; without one the
    # connection still names the (possibly absent) real database, which is not ours to touch.
    if not connection.settings_dict["NAME"].startswith(TEST_DATABASE_PREFIX):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )


# The statement triggers that refuse TRUNCATE of the audit tables (audit/migrations/0005).
AUDIT_TRUNCATE_TRIGGERS = {
    "audit_auditentry": "audit_entry_no_truncate",
    "audit_signedhead": "audit_signedhead_no_truncate",
}


@pytest.fixture(scope="session", autouse=True)
def _flush_through_the_audit_triggers() -> Iterator[None]:
    """After a transactional test Django empties every table with one TRUNCATE, which the audit tables
    refuse. The flush of this test run, and nothing else, disables those two triggers inside its own
    transaction (ALTER TABLE is transactional on PostgreSQL: they are back on at its commit, and after a
    rollback too). Production code has no such switch: emptying the log there takes a table owner
    disabling the trigger by hand, which verify_audit's signed heads then show."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self: DatabaseOperations, style: object, tables: list[str], **kwargs: object) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        guarded = [(table, trigger) for table, trigger in AUDIT_TRUNCATE_TRIGGERS.items() if table in tables]
        if not statements or not guarded:
            return statements
        disable = [f"ALTER TABLE {table} DISABLE TRIGGER {trigger};" for table, trigger in guarded]
        enable = [f"ALTER TABLE {table} ENABLE TRIGGER {trigger};" for table, trigger in guarded]
        return [*disable, *statements, *enable]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture
def recordings_root(tmp_path: Path, settings: object) -> Path:
    root = tmp_path / "recordings"
    root.mkdir()
    settings.RECORDINGS_ROOT = root
    return root


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    """The test Redis database, emptied before and after (leases and queues of other tests)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def mailbox(settings: object) -> Iterator[Mailbox]:
    """A real SMTP server; Django in this process sends to it (workers started by a test get
    EMAIL_URL=mailbox.url in their environment)."""
    box = Mailbox().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def simulator() -> Iterator[Callable[..., SimulatedCamera]]:
    """Start simulated cameras on free ports; all are stopped at the end, also on failure."""
    started: list[SimulatedCamera] = []

    def start(name: str = "Test camera", **options: object) -> SimulatedCamera:
        options.setdefault("port", free_port())
        camera = SimulatedCamera(name, **options)
        started.append(camera)
        camera.start()
        return camera

    yield start
    for camera in started:
        camera.stop()


def database_url(port: int | None = None) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"


def capture_worker_argv(name: str) -> list[str]:
    """One capture process of a node (birzai_vms/processes.py `capture-process`), with its own name and 16
    threads: a test sees its PID and kills it as a whole node would die."""
    return command("capture-process", env={"CAPTURE_NAME": name, "CAPTURE_CONCURRENCY": "16"}, python=sys.executable)


def dispatcher_argv(schedule: Path) -> list[str]:
    """The Procfile's default-queue worker with the beat schedule inside (dispatch_recorders every few
    seconds), so a test needs no separate beat."""
    return command(
        "worker",
        env={"WORKER_NAME": "dispatcher", "WORKER_CONCURRENCY": "2"},
        python=sys.executable,
        extra=["-B", "-s", str(schedule)],
    )


class CaptureStack:
    """Celery workers run as real processes against the test database and Redis."""

    def __init__(self, tmp_path: Path, recordings_root: Path) -> None:
        self.tmp_path = tmp_path
        self.env = {
            "VMS_MODE": "test",
            "DJANGO_SETTINGS_MODULE": "birzai_vms.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "RECORDINGS_ROOT": str(recordings_root),
            "VAR_DIR": str(settings.VAR_DIR),
            "NODE_NAME": "test-node",
            "CELERY_BEAT_SCHEDULER": "celery.beat:PersistentScheduler",
            "PYTHONPATH": str(BASE_DIR),
        }
        self.processes: list[ManagedProcess] = []

    def _celery(self, name: str, argv: list[str], env: dict[str, str] | None) -> ManagedProcess:
        process = ManagedProcess(
            name, argv, env={**self.env, **(env or {})}, cwd=BASE_DIR, log_path=self.tmp_path / f"{name}.log"
        )
        self.processes.append(process)
        process.start()
        process.wait_for_line(r"ready\.", timeout=60)
        return process

    def capture_worker(self, name: str = "capture", env: dict[str, str] | None = None) -> ManagedProcess:
        return self._celery(name, capture_worker_argv(name), env)

    def dispatcher(self, env: dict[str, str] | None = None) -> ManagedProcess:
        return self._celery("dispatcher", dispatcher_argv(self.tmp_path / "beat-schedule"), env)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop(timeout=10)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.tail(40)}" for p in self.processes)


@pytest.fixture
def capture_stack(
    transactional_db: None, recordings_root: Path, redis_db: redis.Redis, tmp_path: Path
) -> Iterator[CaptureStack]:
    stack = CaptureStack(tmp_path, recordings_root)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def admin_client(client: object, admin_user: object) -> object:
    """pytest-django's admin_client, with a session that passed two-factor login (required of
    superusers and administrators; without it every page redirects to the two-factor page)."""
    from tests.support.auth import log_in_verified

    return log_in_verified(client, admin_user)


@pytest.fixture(autouse=True)
def _english_unless_asked(settings: object) -> Iterator[None]:
    """Tests read messages in English; the product's default is Lithuanian (LANGUAGE_CODE = "lt", with a
    complete translation), so a test that wants Lithuanian asks for it (Accept-Language, the browser's
    locale) and tests/dashboard/test_pages.py checks the default itself."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def wait() -> Callable[..., object]:
    return wait_for


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
