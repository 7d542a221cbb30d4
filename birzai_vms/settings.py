"""Settings, read once from the environment (django-environ) with safe embedded defaults.

VMS_MODE=embedded (the default) runs on SQLite and a local Redis with generated secrets kept under
VAR_DIR; VMS_MODE=production refuses to start without real secrets or with DEBUG on.
"""

import secrets
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

VMS_MODE = env.str("VMS_MODE", default="embedded")
if VMS_MODE not in {"embedded", "production", "test"}:
    raise ImproperlyConfigured(f"VMS_MODE must be embedded, production or test, not {VMS_MODE!r}")
PRODUCTION = VMS_MODE == "production"

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()


def _secret(name: str, *, generate: bool) -> str:
    """A secret from NAME, NAME_FILE, or (embedded mode only) a file generated once under VAR_DIR."""
    if value := env.str(name, default=""):
        return value
    if path := env.str(f"{name}_FILE", default=""):
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc.strerror}") from exc
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


DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when VMS_MODE=production")

SECRET_KEY = _secret("SECRET_KEY", generate=not PRODUCTION)
if PRODUCTION and (len(SECRET_KEY) < 40 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too short or a default; set a long random value")

# Camera credentials are encrypted with this key (Fernet); comma-separated keys allow rotation.
FIELD_ENCRYPTION_KEYS = _secret("FIELD_ENCRYPTION_KEY", generate=not PRODUCTION).split(",")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "dashboard",
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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, workers, recorders) write at once: WAL and a long busy timeout.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", 5)
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

LOGIN_URL = "accounts:login"
# A login without ?next= lands on the dashboard (Django's default, /accounts/profile/, does not exist).
LOGIN_REDIRECT_URL = "dashboard:overview"

# --- Redis, Celery, Channels -------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6399/0")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
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
CELERY_BEAT_SCHEDULER = env.str("CELERY_BEAT_SCHEDULER", default="django_celery_beat.schedulers:DatabaseScheduler")
# How often the audit log's head is signed: entries newer than the last signed head can still be
# rewritten unseen, so this is the window an intruder with database access has.
AUDIT_HEAD_SIGN_INTERVAL_SECONDS = env.float("AUDIT_HEAD_SIGN_INTERVAL_SECONDS", default=300.0)
if AUDIT_HEAD_SIGN_INTERVAL_SECONDS <= 0:
    raise ImproperlyConfigured("AUDIT_HEAD_SIGN_INTERVAL_SECONDS must be positive")
CELERY_BEAT_SCHEDULE = {
    "dispatch-recorders": {
        "task": "recordings.tasks.dispatch_recorders",
        "schedule": env.float("DISPATCH_INTERVAL_SECONDS", default=3.0),
    },
    # Retention, storage pressure and integrity (retention/tasks.py, integrity/tasks.py).
    "enforce-retention": {"task": "retention.tasks.enforce_retention", "schedule": 600.0},
    "relieve-disk-pressure": {
        "task": "retention.tasks.relieve_disk_pressure",
        "schedule": env.float("STORAGE_CHECK_INTERVAL_SECONDS", default=10.0),
    },
    "project-storage": {"task": "retention.tasks.project_storage", "schedule": 600.0},
    "seal-daily-digests": {"task": "integrity.tasks.seal_daily_digests", "schedule": 900.0},
    "rehash-sample": {"task": "integrity.tasks.rehash_sample", "schedule": 300.0},
    "reconcile": {"task": "integrity.tasks.reconcile", "schedule": 3600.0},
    "check-stream-clocks": {"task": "alarms.tasks.check_stream_clocks", "schedule": 30.0},
    # The audit log's head signed with the installation's key (audit/tasks.py): a rewrite of the log
    # with its hashes recomputed, or a cut-off end, is seen by verify_audit without a head kept elsewhere.
    "sign-audit-head": {"task": "audit.tasks.sign_audit_head", "schedule": AUDIT_HEAD_SIGN_INTERVAL_SECONDS},
}

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
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24)
if API_TOKEN_TTL_HOURS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_HOURS must be at least 1")
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
RECORDINGS_ROOT = Path(env.str("RECORDINGS_ROOT", default=str(VAR_DIR / "recordings"))).resolve()
# This capture node's name: recorded on every segment so that several nodes can share one index.
NODE_NAME = env.str("NODE_NAME", default=socket.gethostname())
SEGMENT_SECONDS = env.float("SEGMENT_SECONDS", default=4.0)
DEFAULT_RETENTION_DAYS = env.int("DEFAULT_RETENTION_DAYS", default=30)
MIN_RETENTION_DAYS = 30  # the contract's guarantee; not configurable on purpose
CAPTURE_LEASE_SECONDS = env.float("CAPTURE_LEASE_SECONDS", default=6.0)
# Live playlist requests that may wait for their next segment at once, per web process (each holds a
# database connection while it waits; beyond this, players poll).
LIVE_WAITING_REQUESTS_MAX = env.int("LIVE_WAITING_REQUESTS_MAX", default=32)
CAPTURE_RTSP_TIMEOUT_SECONDS = env.float("CAPTURE_RTSP_TIMEOUT_SECONDS", default=5.0)
# The index never strays further than this from this server's clock: beyond it, a camera's timing is
# re-anchored (a step, noted on the segment and the camera's status; recordings/capture/clock.py).
CAPTURE_CLOCK_STEP_SECONDS = env.float("CAPTURE_CLOCK_STEP_SECONDS", default=1.0)
# A camera whose stream clock is off by more than this fraction, or that needed this many steps, has an
# open "stream clock" alarm (alarms/tasks.py).
CLOCK_RATE_ALARM_TOLERANCE = env.float("CLOCK_RATE_ALARM_TOLERANCE", default=0.005)
CLOCK_STEPS_ALARM = env.int("CLOCK_STEPS_ALARM", default=3)
# Reconnect backoff: short for a camera that was recording (it usually comes back soon), long for
# errors that need a person (wrong password, no video), so a broken camera never burns CPU.
CAPTURE_RETRY_MAX_SECONDS = env.float("CAPTURE_RETRY_MAX_SECONDS", default=1.0)
CAPTURE_ERROR_RETRY_MAX_SECONDS = env.float("CAPTURE_ERROR_RETRY_MAX_SECONDS", default=60.0)
# A status not refreshed for this long means no recorder is looking after the camera.
STATUS_STALE_SECONDS = env.float("STATUS_STALE_SECONDS", default=15.0)
SIMULATOR_BASE_PORT = env.int("SIMULATOR_BASE_PORT", default=8600)
# Dashboard map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty: markers on a plain map
# (a municipal network may have no tile server; the page never needs one).
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="© OpenStreetMap contributors")
# H.264 renditions of footage the browser cannot play (H.265, Motion-JPEG), made on request by ffmpeg:
# cached here, the least used removed first beyond the size or age bound.
RENDITION_CACHE_DIR = Path(env.str("RENDITION_CACHE_DIR", default=str(VAR_DIR / "renditions"))).resolve()
RENDITION_CACHE_MAX_BYTES = env.int("RENDITION_CACHE_MAX_BYTES", default=2 * 1024**3)
RENDITION_CACHE_MAX_AGE_HOURS = env.float("RENDITION_CACHE_MAX_AGE_HOURS", default=24.0)
# Transcodes at once per web process (each takes a core); a request beyond waits this long, then gets 503.
RENDITION_CONCURRENCY = env.int("RENDITION_CONCURRENCY", default=2)
RENDITION_WAIT_SECONDS = env.float("RENDITION_WAIT_SECONDS", default=5.0)
if RENDITION_CONCURRENCY < 1 or RENDITION_WAIT_SECONDS < 0 or RENDITION_CACHE_MAX_BYTES < 0:
    raise ImproperlyConfigured(
        "RENDITION_CONCURRENCY must be >= 1, RENDITION_WAIT_SECONDS and RENDITION_CACHE_MAX_BYTES >= 0"
    )

# --- Retention, storage, integrity ---------------------------------------------------------------
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=5000)  # rows per short deletion transaction
# Free space under max(bytes, percent of the filesystem) starts deleting the oldest unheld footage.
STORAGE_MIN_FREE_BYTES = env.int("STORAGE_MIN_FREE_BYTES", default=2 * 1024**3)
STORAGE_MIN_FREE_PERCENT = env.float("STORAGE_MIN_FREE_PERCENT", default=5.0)
STORAGE_BATCH_SIZE = env.int("STORAGE_BATCH_SIZE", default=20)
# The longest a hold may last (a hold to the year 9999 would keep footage for ever); a longer need is a new hold.
HOLD_MAX_DAYS = env.int("HOLD_MAX_DAYS", default=366)
if HOLD_MAX_DAYS < 1:
    raise ImproperlyConfigured("HOLD_MAX_DAYS must be at least 1")
# Installation signing key (Ed25519) of the daily digests: a file, never in the database.
INTEGRITY_KEY_PATH = Path(env.str("INTEGRITY_KEY_PATH", default=str(VAR_DIR / "secrets" / "integrity_ed25519.pem")))
INTEGRITY_SEAL_DELAY = timedelta(minutes=env.int("INTEGRITY_SEAL_DELAY_MINUTES", default=60))
INTEGRITY_SAMPLE_SIZE = env.int("INTEGRITY_SAMPLE_SIZE", default=50)
# Files younger than this may still be written or indexed by a live recorder; the reconciler skips them.
RECONCILE_SETTLE_SECONDS = env.float("RECONCILE_SETTLE_SECONDS", default=15.0)
QUARANTINE_ROOT = Path(env.str("QUARANTINE_ROOT", default=str(VAR_DIR / "quarantine"))).resolve()
if STORAGE_MIN_FREE_BYTES < 0 or not 0 <= STORAGE_MIN_FREE_PERCENT < 100:
    raise ImproperlyConfigured("STORAGE_MIN_FREE_BYTES must be >= 0 and STORAGE_MIN_FREE_PERCENT in [0, 100)")

for _path in (VAR_DIR, RECORDINGS_ROOT):
    _path.mkdir(parents=True, exist_ok=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"libav": {"level": "ERROR"}},
}

# --- Production hardening --------------------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)  # idle time (SESSION_SAVE_EVERY_REQUEST)
X_FRAME_OPTIONS = "DENY"

# --- Access control and audit (accounts/, audit/) -------------------------------------------------
# Axes first: it refuses a locked-out user before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
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
