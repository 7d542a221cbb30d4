"""Settings, read once from the environment through birzai_vms/config.py, with safe embedded defaults.

VMS_MODE=embedded (the default) runs on SQLite and a local Redis with generated secrets kept under
VAR_DIR; VMS_MODE=production refuses to start without real secrets or with DEBUG on.
"""

import ipaddress
import os
import secrets
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

from birzai_vms.config import (
    bool_setting,
    choice_setting,
    database_setting,
    email_setting,
    file_text,
    float_setting,
    int_setting,
    list_setting,
    positive_float,
    str_setting,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# Every variable is read through birzai_vms/config.py: bounds checked, defaults registered (the README's
# configuration table is tested against that registry). Bounds are what the code can work with, not taste.
VMS_MODE = choice_setting("VMS_MODE", "embedded", choices=("embedded", "production", "test"))
PRODUCTION = VMS_MODE == "production"

VAR_DIR = Path(str_setting("VAR_DIR", str(BASE_DIR / "var"), shown="./var")).resolve()


def _secret(name: str, *, generate: bool) -> str:
    """A secret from NAME, NAME_FILE, or (embedded mode only) a file generated once under VAR_DIR."""
    value = str_setting(name, "", shown="generated")
    from_file = file_text(f"{name}_FILE")
    if value:
        return value
    if from_file:
        return from_file
    if not generate:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set when VMS_MODE=production")
    path = VAR_DIR / "secrets" / name.lower()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_new_secret(name))
        path.chmod(0o600)
    return path.read_text().strip()


def _new_secret(name: str) -> str:
    if name == "FIELD_ENCRYPTION_KEY":
        from cryptography.fernet import Fernet

        return Fernet.generate_key().decode()
    return secrets.token_urlsafe(50)


DEBUG = bool_setting("DEBUG", not PRODUCTION, shown="on, except in production")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when VMS_MODE=production")

SECRET_KEY = _secret("SECRET_KEY", generate=not PRODUCTION)
if PRODUCTION and (len(SECRET_KEY) < 40 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too short or a default; set a long random value")

# Camera credentials are encrypted with this key (Fernet); comma-separated keys allow rotation.
FIELD_ENCRYPTION_KEYS = _secret("FIELD_ENCRYPTION_KEY", generate=not PRODUCTION).split(",")

ALLOWED_HOSTS = list_setting(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"], shown="localhost,127.0.0.1,[::1]"
)
CSRF_TRUSTED_ORIGINS = list_setting("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "accounts.admin_apps.VmsAdminConfig",  # the admin, with two factors and auditing
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "audit",
    "accounts",
    "eldership",
    "cameras",
    "recordings",
    "alarms",
    "retention",
    "integrity",
    "playback",
    "incidents",
    "exports",
    "disclosures",
    "reports",
    "dashboard",
    "health",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.LoginLanguageMiddleware",
    "audit.middleware.CurrentRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its response
]

ROOT_URLCONF = "birzai_vms.urls"
ASGI_APPLICATION = "birzai_vms.asgi.application"
WSGI_APPLICATION = "birzai_vms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": database_setting(
        "DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}", shown="sqlite:///VAR_DIR/db.sqlite3"
    )
}
DATABASE_CONNECT_TIMEOUT = int_setting("DATABASE_CONNECT_TIMEOUT", 5, minimum=1, maximum=300)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, workers, recorders) write at once: WAL and a long busy timeout.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "lt"
LANGUAGES = [("lt", "Lietuvių"), ("en", "English"), ("lv", "Latviešu")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Vilnius"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if VMS_MODE == "test":
    # The tests run no collectstatic, and pytest-django turns DEBUG off in the test process, where WhiteNoise
    # would then look for STATIC_ROOT and warn it is missing. There it serves the sources through the
    # finders, as the test web servers (DEBUG on) and development do. Elsewhere the warning stands: in
    # production it means collectstatic was not run.
    WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True

LOGIN_URL = "accounts:login"
# A login without ?next= lands on the dashboard (Django's default, /accounts/profile/, does not exist).
LOGIN_REDIRECT_URL = "dashboard:overview"

# --- Redis, Celery, Channels -------------------------------------------------------------------
REDIS_URL = str_setting("REDIS_URL", "redis://127.0.0.1:6399/0")
CELERY_BROKER_URL = str_setting("CELERY_BROKER_URL", REDIS_URL, shown="REDIS_URL")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ROUTES = {"recordings.tasks.record_camera": {"queue": "capture"}}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Capture tasks run for days; acknowledging them late would make Redis redeliver them after the
# visibility timeout. They are acked on receipt instead, and the camera lease makes a duplicate
# delivery harmless (see recordings/capture/lease.py).
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = str_setting("CELERY_BEAT_SCHEDULER", "django_celery_beat.schedulers:DatabaseScheduler")
# How often the audit log's head is signed: entries newer than the last signed head can still be
# rewritten unseen, so this is the window an intruder with database access has.
AUDIT_HEAD_SIGN_INTERVAL_SECONDS = positive_float(
    "AUDIT_HEAD_SIGN_INTERVAL_SECONDS", 300.0, minimum=1, maximum=24 * 3600
)
# The dispatcher must run well within a lease, or a dead recorder's camera waits longer than it need.
DISPATCH_INTERVAL_SECONDS = positive_float("DISPATCH_INTERVAL_SECONDS", 3.0, minimum=0.5, maximum=300)
STORAGE_CHECK_INTERVAL_SECONDS = positive_float("STORAGE_CHECK_INTERVAL_SECONDS", 10.0, minimum=1, maximum=3600)
# How often every capture node reports its storage for the retention projection (retention/storage.py).
STORAGE_PROJECTION_INTERVAL_SECONDS = 600.0
RECONCILE_INTERVAL_SECONDS = positive_float("RECONCILE_INTERVAL_SECONDS", 3600.0, minimum=1, maximum=7 * 24 * 3600)
# Every node re-hashes a sample of its own segments this often (integrity/tasks.py; INTEGRITY_SAMPLE_SIZE).
INTEGRITY_REHASH_INTERVAL_SECONDS = positive_float(
    "INTEGRITY_REHASH_INTERVAL_SECONDS", 300.0, minimum=1, maximum=86_400
)
CELERY_BEAT_SCHEDULE = {
    "dispatch-recorders": {
        "task": "recordings.tasks.dispatch_recorders",
        "schedule": DISPATCH_INTERVAL_SECONDS,
    },
    # Retention, storage pressure and integrity (retention/tasks.py, integrity/tasks.py).
    "enforce-retention": {"task": "retention.tasks.enforce_retention", "schedule": 600.0},
    # Daily partitions of the segment index, created ahead (recordings/partitions.py).
    "maintain-segment-partitions": {"task": "recordings.tasks.maintain_segment_partitions", "schedule": 3600.0},
    "relieve-disk-pressure": {
        "task": "retention.tasks.relieve_disk_pressure",
        "schedule": STORAGE_CHECK_INTERVAL_SECONDS,
    },
    "project-storage": {"task": "retention.tasks.project_storage", "schedule": STORAGE_PROJECTION_INTERVAL_SECONDS},
    "seal-daily-digests": {"task": "integrity.tasks.seal_daily_digests", "schedule": 900.0},
    # Each capture node's own disk (recordings/capture/chores.py): beat asks every live node.
    "rehash-sample": {"task": "integrity.tasks.rehash_sample", "schedule": INTEGRITY_REHASH_INTERVAL_SECONDS},
    "reconcile": {"task": "integrity.tasks.reconcile", "schedule": RECONCILE_INTERVAL_SECONDS},
    "check-stream-clocks": {"task": "alarms.tasks.check_stream_clocks", "schedule": 30.0},
    # The uptime report's recorded hours (reports/coverage.py): stored here so that no request computes a month.
    "store-recorded-hours": {"task": "reports.tasks.store_recorded_hours", "schedule": 600.0},
    # The audit log's head signed with the installation's key (audit/tasks.py): a rewrite of the log
    # with its hashes recomputed, or a cut-off end, is seen by verify_audit without a head kept elsewhere.
    "sign-audit-head": {"task": "audit.tasks.sign_audit_head", "schedule": AUDIT_HEAD_SIGN_INTERVAL_SECONDS},
    # Exports whose worker died (no heartbeat) are queued again (exports/tasks.py).
    "requeue-stale-exports": {"task": "exports.tasks.requeue_stale_exports", "schedule": 15.0},
    # Holds of downloaded requests whose keeping time is over (disclosures/tasks.py).
    "release-disclosure-holds": {"task": "disclosures.tasks.release_due_holds", "schedule": 3600.0},
}

# --- Camera incidents and alerts (incidents/, docs/incidents.md) -----------------------------------------
# How often the recorder's truth is turned into incidents: a failure is seen within the grace (or the
# threshold of its kind) plus one interval.
INCIDENT_CHECK_INTERVAL_SECONDS = positive_float("INCIDENT_CHECK_INTERVAL_SECONDS", 10.0, minimum=1, maximum=300)
# A camera offline (no stream, no recorder reporting) for this long is an incident: shorter blips are
# reconnects, which the gaps already record.
INCIDENT_GRACE_SECONDS = float_setting("INCIDENT_GRACE_SECONDS", 20.0, minimum=0, maximum=3600)
# A recording camera whose newest segment ended this long ago is not writing.
INCIDENT_NOT_WRITING_SECONDS = positive_float("INCIDENT_NOT_WRITING_SECONDS", 30.0, minimum=5, maximum=3600)
# A picture unchanged for this long (first keyframes of its newest segments compared) is frozen.
INCIDENT_FROZEN_SECONDS = positive_float("INCIDENT_FROZEN_SECONDS", 30.0, minimum=5, maximum=24 * 3600)
# A failure again within this long after a recovery continues the same incident; the recovery notice
# waits for it, so a flapping camera sends one alert and one recovery notice.
INCIDENT_QUIET_SECONDS = float_setting("INCIDENT_QUIET_SECONDS", 300.0, minimum=0, maximum=24 * 3600)
# An unacknowledged incident is announced again this often while it lasts.
INCIDENT_RENOTIFY_MINUTES = positive_float("INCIDENT_RENOTIFY_MINUTES", 60.0, minimum=0.05, maximum=7 * 24 * 60)
# Also sent every alert, whoever may see the camera (e.g. the contractor's service desk).
INCIDENT_ALERT_EMAILS = list_setting("INCIDENT_ALERT_EMAILS", [], shown="empty")
# Each alert is POSTed there as JSON; empty: no webhook.
INCIDENT_WEBHOOK_URL = str_setting("INCIDENT_WEBHOOK_URL", "", shown="empty")
INCIDENT_WEBHOOK_TIMEOUT_SECONDS = positive_float("INCIDENT_WEBHOOK_TIMEOUT_SECONDS", 5.0, minimum=0.1, maximum=60)
if INCIDENT_WEBHOOK_URL and urlsplit(INCIDENT_WEBHOOK_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        f"INCIDENT_WEBHOOK_URL must be an http:// or https:// URL (got {INCIDENT_WEBHOOK_URL!r})"
    )
CELERY_BEAT_SCHEDULE["detect-incidents"] = {
    "task": "incidents.tasks.detect_incidents",
    "schedule": INCIDENT_CHECK_INTERVAL_SECONDS,
}
# Every worker process and beat write a heartbeat to Redis this often; /readyz reads them (no broadcast).
WORKER_HEARTBEAT_SECONDS = positive_float("WORKER_HEARTBEAT_SECONDS", 5.0, minimum=1, maximum=300)

# redis-py 8 reads with a 5 s socket timeout by default, the same as channels-redis's 5 s BZPOPMIN:
# an idle websocket's receive loop then died with "Timeout reading from" (found by bench/dashboard.py).
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
    },
}

# --- REST API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers a failed authentication with the first class's challenge, so an expired
    # or wrong token is a 401 (WWW-Authenticate: Token) that a client can act on, not a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "birzai_vms.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 500,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# An API token works for this long after it was issued (POST /api/token/ from a signed-in session).
API_TOKEN_TTL_HOURS = int_setting("API_TOKEN_TTL_HOURS", 24, minimum=1, maximum=366 * 24)
SPECTACULAR_SETTINGS = {
    "TITLE": "Biržai VMS API",
    "DESCRIPTION": "Cameras, their live status, and the recorded segments and gaps of each camera.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the installed package: the municipal network may have no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Recording ---------------------------------------------------------------------------------------
RECORDINGS_ROOT = Path(
    str_setting("RECORDINGS_ROOT", str(VAR_DIR / "recordings"), shown="VAR_DIR/recordings")
).resolve()
# This capture node's name: recorded on every segment so that several nodes can share one index.
NODE_NAME = str_setting("NODE_NAME", socket.gethostname(), shown="host name")
SEGMENT_SECONDS = positive_float("SEGMENT_SECONDS", 4.0, minimum=1, maximum=60)
# Capture processes this node runs (`manage.py capture_node`); 0: one per core. Several processes spread
# the recorders' Python work over the cores (docs/capture.md, "Many cameras per node").
CAPTURE_PROCESSES = int_setting("CAPTURE_PROCESSES", 0, minimum=0, maximum=256) or (os.cpu_count() or 1)
# Cameras the dispatcher gives one capture process of this node before it starts on the next (then, all
# processes past it, the least loaded): each process costs a fixed share of CPU whatever it records, and
# one GIL is far from busy at 48 cameras. Below CAPTURE_CONCURRENCY (128), whose other threads run the
# node's chores (docs/capture.md, "Packing").
CAPTURE_CAMERAS_PER_PROCESS = int_setting("CAPTURE_CAMERAS_PER_PROCESS", 48, minimum=1, maximum=10_000)
# Cameras this node records at most (the dispatcher gives no node more); 0: no limit.
CAPTURE_NODE_CAPACITY = int_setting("CAPTURE_NODE_CAPACITY", 0, minimum=0, maximum=100_000)
# Where other nodes' recordings are, for the web tier, retention and integrity (docs/nodes.md):
# "node-a=/mnt/node-a,node-b=/mnt/node-b". A segment of a node not listed is under RECORDINGS_ROOT
# (this node's own, or one storage shared by all nodes).
RECORDINGS_ROOTS: dict[str, Path] = {}
for _item in list_setting("RECORDINGS_ROOTS", [], shown="empty"):
    _node, _sep, _root = _item.partition("=")
    if not (_sep and _node.strip() and _root.strip().startswith("/")):
        raise ImproperlyConfigured(
            f"RECORDINGS_ROOTS must be node=/absolute/path pairs separated by commas (got {_item!r})"
        )
    RECORDINGS_ROOTS[_node.strip()] = Path(_root.strip())
MIN_RETENTION_DAYS = 30  # the contract's guarantee; not configurable on purpose
DEFAULT_RETENTION_DAYS = int_setting("DEFAULT_RETENTION_DAYS", 30, minimum=MIN_RETENTION_DAYS, maximum=3660)
# Renewed every third of it; under 1 s the renewals would crowd Redis, over 5 min a dead recorder's
# camera would stay unrecorded that long.
CAPTURE_LEASE_SECONDS = positive_float("CAPTURE_LEASE_SECONDS", 6.0, minimum=1, maximum=300)
# Live playlist requests that may wait for their next segment at once, per web process (each holds a
# database connection while it waits; beyond this, players poll).
LIVE_WAITING_REQUESTS_MAX = int_setting("LIVE_WAITING_REQUESTS_MAX", 32, minimum=0, maximum=10_000)
CAPTURE_RTSP_TIMEOUT_SECONDS = positive_float("CAPTURE_RTSP_TIMEOUT_SECONDS", 5.0, minimum=1, maximum=300)
# The index never strays further than this from this server's clock: beyond it, a camera's timing is
# re-anchored (a step, noted on the segment and the camera's status; recordings/capture/clock.py).
CAPTURE_CLOCK_STEP_SECONDS = positive_float("CAPTURE_CLOCK_STEP_SECONDS", 1.0, minimum=0.1, maximum=3600)
# A camera whose stream clock is off by more than this fraction, or that needed this many steps, has an
# open "stream clock" alarm (alarms/tasks.py).
CLOCK_RATE_ALARM_TOLERANCE = positive_float("CLOCK_RATE_ALARM_TOLERANCE", 0.005, minimum=0.0001, maximum=0.5)
CLOCK_STEPS_ALARM = int_setting("CLOCK_STEPS_ALARM", 3, minimum=1, maximum=1000)
# Reconnect backoff: short for a camera that was recording (it usually comes back soon), long for
# errors that need a person (wrong password, no video), so a broken camera never burns CPU.
CAPTURE_RETRY_MAX_SECONDS = positive_float("CAPTURE_RETRY_MAX_SECONDS", 1.0, minimum=0.1, maximum=600)
CAPTURE_ERROR_RETRY_MAX_SECONDS = positive_float("CAPTURE_ERROR_RETRY_MAX_SECONDS", 60.0, minimum=1, maximum=3600)
# A status not refreshed for this long means no recorder is looking after the camera.
STATUS_STALE_SECONDS = positive_float("STATUS_STALE_SECONDS", 15.0, minimum=1, maximum=3600)
# Recorders write their heartbeat every third of the lease (recordings/capture/keeper.py): a status must be
# allowed to miss one, or every camera would flap between recording and stale.
if STATUS_STALE_SECONDS < 2 * CAPTURE_LEASE_SECONDS / 3:
    raise ImproperlyConfigured(
        f"STATUS_STALE_SECONDS must be at least two heartbeats, 2 × CAPTURE_LEASE_SECONDS / 3 = "
        f"{2 * CAPTURE_LEASE_SECONDS / 3:g} (got {STATUS_STALE_SECONDS:g})"
    )
# Camera n listens on the base port + n: room for 1000 cameras below 65536.
SIMULATOR_BASE_PORT = int_setting("SIMULATOR_BASE_PORT", 8600, minimum=1024, maximum=64535)
# Dashboard map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty: markers on a plain map
# (a municipal network may have no tile server; the page never needs one).
MAP_TILE_URL = str_setting("MAP_TILE_URL", "", shown="empty")
MAP_TILE_ATTRIBUTION = str_setting("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
# H.264 renditions of footage the browser cannot play (H.265, Motion-JPEG), made on request by ffmpeg:
# cached here, the least used removed first beyond the size or age bound.
RENDITION_CACHE_DIR = Path(
    str_setting("RENDITION_CACHE_DIR", str(VAR_DIR / "renditions"), shown="VAR_DIR/renditions")
).resolve()
RENDITION_CACHE_MAX_BYTES = int_setting("RENDITION_CACHE_MAX_BYTES", 2 * 1024**3, minimum=0)
RENDITION_CACHE_MAX_AGE_HOURS = float_setting("RENDITION_CACHE_MAX_AGE_HOURS", 24.0, minimum=0, maximum=366 * 24)
# Transcodes at once per web process (each takes a core); a request beyond waits this long, then gets 503.
RENDITION_CONCURRENCY = int_setting("RENDITION_CONCURRENCY", 2, minimum=1, maximum=64)
RENDITION_WAIT_SECONDS = float_setting("RENDITION_WAIT_SECONDS", 5.0, minimum=0, maximum=60)

# --- Retention, storage, integrity ---------------------------------------------------------------
# Rows per short deletion transaction: large batches hold locks the indexer waits for.
RETENTION_BATCH_SIZE = int_setting("RETENTION_BATCH_SIZE", 5000, minimum=1, maximum=1_000_000)
# Daily partitions of the segment index made ahead of time on PostgreSQL (docs/partitioning.md); a day
# without one still indexes, into the default partition, and gets its partition at the next maintenance.
SEGMENT_PARTITION_DAYS_AHEAD = int_setting("SEGMENT_PARTITION_DAYS_AHEAD", 3, minimum=1, maximum=60)
# Free space under max(bytes, percent of the filesystem) starts deleting the oldest unheld footage.
STORAGE_MIN_FREE_BYTES = int_setting("STORAGE_MIN_FREE_BYTES", 2 * 1024**3, minimum=0)
# Deletion frees up to 1.2 × the watermark, so a watermark above 80 % could never be met.
STORAGE_MIN_FREE_PERCENT = float_setting("STORAGE_MIN_FREE_PERCENT", 5.0, minimum=0, maximum=80)
STORAGE_BATCH_SIZE = int_setting("STORAGE_BATCH_SIZE", 20, minimum=1, maximum=100_000)
# The longest a hold may last (a hold to the year 9999 would keep footage for ever); a longer need is a new hold.
HOLD_MAX_DAYS = int_setting("HOLD_MAX_DAYS", 366, minimum=1, maximum=3660)
# Installation signing key (Ed25519) of the daily digests: a file, never in the database.
INTEGRITY_KEY_PATH = Path(
    str_setting(
        "INTEGRITY_KEY_PATH",
        str(VAR_DIR / "secrets" / "integrity_ed25519.pem"),
        shown="VAR_DIR/secrets/integrity_ed25519.pem",
    )
)
# A day is sealed this long after it ends, so that its last segments (and a catch-up index) are in.
INTEGRITY_SEAL_DELAY = timedelta(minutes=int_setting("INTEGRITY_SEAL_DELAY_MINUTES", 60, minimum=1, maximum=24 * 60))
INTEGRITY_SAMPLE_SIZE = int_setting("INTEGRITY_SAMPLE_SIZE", 50, minimum=1, maximum=100_000)
# Files younger than this may still be written or indexed by a live recorder; the reconciler skips them.
RECONCILE_SETTLE_SECONDS = float_setting("RECONCILE_SETTLE_SECONDS", 15.0, minimum=0, maximum=3600)
# Export packages (exports/): built in a temporary folder here, then renamed into place.
EXPORTS_ROOT = Path(str_setting("EXPORTS_ROOT", str(VAR_DIR / "exports"), shown="VAR_DIR/exports")).resolve()
# A RUNNING export whose task has not touched its row for this long lost its worker and is queued again.
EXPORT_STALE_SECONDS = positive_float("EXPORT_STALE_SECONDS", 60.0, minimum=2, maximum=3600)
# Builds an export may start before it is left FAILED (each worker loss or error costs one).
EXPORT_MAX_ATTEMPTS = int_setting("EXPORT_MAX_ATTEMPTS", 3, minimum=1, maximum=20)
# The largest package the public verification page accepts (bytes).
VERIFY_UPLOAD_MAX_BYTES = int_setting("VERIFY_UPLOAD_MAX_BYTES", 4 * 1024**3, minimum=1024, maximum=64 * 1024**3)
QUARANTINE_ROOT = Path(
    str_setting("QUARANTINE_ROOT", str(VAR_DIR / "quarantine"), shown="VAR_DIR/quarantine")
).resolve()

for _path in (VAR_DIR, RECORDINGS_ROOT):
    _path.mkdir(parents=True, exist_ok=True)

# Who may scrape /metrics (health/metrics.py): these networks, or a request bearing METRICS_TOKEN. The
# address is the connection's own (REMOTE_ADDR): behind a reverse proxy, that is the proxy's.
METRICS_ALLOWED_NETWORKS: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
for _item in list_setting("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"]):
    try:
        METRICS_ALLOWED_NETWORKS.append(ipaddress.ip_network(_item, strict=False))
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS must be addresses or networks such as 10.0.0.0/8 (got {_item!r})"
        ) from None
METRICS_TOKEN = str_setting("METRICS_TOKEN", "", shown="empty")

# --- Police and data-subject requests (disclosures/) --------------------------------------------------
# The longest range one request may cover (per camera): longer needs are several requests, each reviewed.
DISCLOSURE_MAX_HOURS = int_setting("DISCLOSURE_MAX_HOURS", 4, minimum=1, maximum=24 * 7)
# How long the requester's download link works after the package is ready.
DISCLOSURE_DOWNLOAD_DAYS = int_setting("DISCLOSURE_DOWNLOAD_DAYS", 7, minimum=1, maximum=365)
# The request's hold is released this long after the first download (the police have their copy),
# unless a reviewer extends it.
DISCLOSURE_HOLD_AFTER_DOWNLOAD_DAYS = int_setting("DISCLOSURE_HOLD_AFTER_DOWNLOAD_DAYS", 30, minimum=1, maximum=3650)

# --- Email: camera alerts, police and data-subject requests ------------------------------------------
# smtp://user:password@host:25, smtp+tls://user:password@host:587 (STARTTLS), smtp+ssl://…:465 (TLS);
# consolemail:// prints every message on the web or worker console (the demo).
globals().update(email_setting("EMAIL_URL", "consolemail://", shown="consolemail:// (printed on the console)"))
DEFAULT_FROM_EMAIL = str_setting("DEFAULT_FROM_EMAIL", "Biržai VMS <vms@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in emails and packages point here (the address staff and police open the system at).
SITE_URL = str_setting("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOG_LEVEL = choice_setting("LOG_LEVEL", "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
# json: one JSON object a line (birzai_vms/logformat.py), for a log collector; plain: for people.
LOG_FORMAT = choice_setting(
    "LOG_FORMAT", "json" if PRODUCTION else "plain", choices=("json", "plain"), shown="json in production, else plain"
)
# Celery replaces the root logger's handlers with its own plain ones unless told not to: with JSON logs
# the workers keep Django's handler, so their lines (task received, succeeded) are JSON too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "birzai_vms.logformat.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"libav": {"level": "ERROR"}},
}

# --- Production hardening --------------------------------------------------------------------------
# Read in every mode, so that a bad value is found before the first production start.
_ssl_redirect = bool_setting("SECURE_SSL_REDIRECT", True)
_hsts_seconds = int_setting("SECURE_HSTS_SECONDS", 31536000, minimum=0, maximum=2 * 31536000)
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _ssl_redirect
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int_setting(
    "SESSION_COOKIE_AGE", 30 * 60, minimum=60, maximum=24 * 3600
)  # idle time (SESSION_SAVE_EVERY_REQUEST)
X_FRAME_OPTIONS = "DENY"

# --- Access control and audit (accounts/, audit/) -------------------------------------------------
# Axes first: it refuses a locked-out user before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int_setting("AXES_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=int_setting("AXES_COOLOFF_MINUTES", 15, minimum=1, maximum=7 * 24 * 60))
# Per user name and address: a guesser is stopped without letting anyone lock a colleague out everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Inactivity expiry: the cookie's age restarts with every request, so a session idle this long ends.
SESSION_SAVE_EVERY_REQUEST = True
OTP_TOTP_ISSUER = "Biržai VMS"
# Nobody, not even an administrator, reads another user's TOTP secret back from the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# No inline script anywhere (CSP); styles may be inline (the admin and Swagger UI use style attributes).
# blob: for hls.js (MediaSource and its worker); ws(s) is covered by 'self' for same-origin websockets.
_tile_sources = [urlunsplit(urlsplit(MAP_TILE_URL)[:2] + ("", "", "")).replace("{s}", "*")] if MAP_TILE_URL else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_sources],
        "media-src": ["'self'", "blob:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
