"""Settings, driven by the environment.

Every value comes from an environment variable with an embedded default that needs no
server (SQLite in WAL mode, a filesystem Celery broker). The helpers below reject bad
values with a message naming the variable, so a typo fails at start-up, not at 3 a.m.
"""

import datetime
import ipaddress
import os
import re
import sys
import zoneinfo
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.logs import log_formatter, structlog_configure

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_host_ports(name: str) -> list[str]:
    """Comma-separated `host`, `host:port`, `[v6]` or `[v6]:port` entries."""
    entries = env_list(name, [])
    for entry in entries:
        port = ""
        if entry.startswith("["):
            host, _, rest = entry[1:].partition("]")
            if rest and not rest.startswith(":"):
                host = ""
            port = rest[1:]
        elif entry.count(":") == 1:
            host, port = entry.split(":")
        else:
            host = entry
        if not host or (port and not (port.isdigit() and 0 < int(port) < 65536)):
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not host or host:port (port 1-65535)."
            )
    return entries


def env_time_zone(name: str, default: str) -> str:
    value = os.environ.get(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an IANA time zone (e.g. Asia/Shanghai)."
        ) from None
    return value


def env_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    scheme = urlparse(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: use sqlite:///path or postgres://user@host:port/name."
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a database URL: {exc}"
        ) from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web process read while the worker writes; IMMEDIATE takes the
        # write lock at BEGIN so two writers queue instead of failing with "locked".
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
    # The same backends, counting queries and errors for /metrics (django-prometheus).
    config["ENGINE"] = config["ENGINE"].replace(
        "django.db.backends.", "django_prometheus.db.backends.", 1
    )
    return config


def env_redis_url(name: str) -> str | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    if urlparse(raw).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"{name}={raw!r}: use redis://host:port/db.")
    return raw


DEBUG = env_bool("DEBUG", False)
# pytest sets TESTING itself, so `.venv/bin/pytest` works without extra set-up.
TESTING = env_bool("TESTING", "pytest" in sys.modules)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set outside DEBUG (make run sets DEBUG=1 for you)."
        )

# Rotating SECRET_KEY: put the old key here while the new one takes over, so sessions,
# password-reset links and signed values made with it stay valid (docs/operations.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

# PII at rest (core.crypto, docs/security.md): AES-GCM data keys and a separate HMAC
# key for the lookup hashes, never derived from SECRET_KEY. PII_KEYS is
# "k2:<base64 32 bytes>,k1:<base64 32 bytes>" (or the same, one per line, in
# PII_KEY_FILE); new values are written under PII_ACTIVE_KEY_ID (default: the first
# key listed), older ids stay readable until `manage.py pii_rotate_key` has moved
# them. Outside DEBUG and tests there are no defaults: the pii system check refuses
# to start (and `check --deploy` reports it).
PII_KEYS = os.environ.get("PII_KEYS", "")
PII_KEY_FILE = os.environ.get("PII_KEY_FILE", "")
PII_ACTIVE_KEY_ID = os.environ.get("PII_ACTIVE_KEY_ID", "")
PII_HMAC_KEY = os.environ.get("PII_HMAC_KEY", "")
# DEBUG and tests only: fixed keys, public in this repository, so never secret.
PII_DEVELOPMENT_KEYS = (DEBUG or TESTING) and not (PII_KEYS or PII_KEY_FILE)

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "testserver"] if DEBUG or TESTING else [],
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Append-only ledger and payments in the database (PostgreSQL only; issue 15).
    "pgtrigger",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "django_structlog",
    "django_prometheus",
    "core",
    "collections_app",
    "cases",
    "calls",
    "escalation",
    "compliance",
    "messaging",
    "supervision",
    "configuration",
    "imports",
    "integrations",
    "portal",
    "demo",
]

# simple-history's admin "revert" saves an old version on POST with view permission
# only: it rewrote a contact attempt and a payment in the security review (issue 15,
# finding 2). History stays readable; corrections are new records with a reason.
SIMPLE_HISTORY_REVERT_DISABLED = True

MIDDLEWARE = [
    # Requests and latency by view for /metrics (first and last, as it asks).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A request id on every log line of the request, and into its Celery tasks.
    "django_structlog.middlewares.RequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store, private on what signed-in users and the API are shown.
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sign-out after SESSION_IDLE_MINUTES idle or SESSION_MAX_HOURS since sign-in.
    "core.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A redirect answered to a targeted htmx request becomes HX-Redirect.
    "core.middleware.HtmxRedirectMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # NUL characters in /api/ URLs answer 400/404, never reach PostgreSQL.
    "core.api_errors.RejectNulCharactersMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# Content-Security-Policy (django-csp): only our own scripts and styles, no inline
# code, no framing. htmx runs with eval and its injected indicator style turned off.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one
# username from one address, that pair is locked out for AXES_COOLOFF_MINUTES; after
# AXES_IP_FAILURE_LIMIT failed logins from one address whatever the usernames
# (password spraying), the address is (core.login_throttle: each set its own limit).
# Behind LOGIN_PROXY_COUNT proxies the address comes from X-Forwarded-For.
# AXES_ENABLED=0 for fuzz and load runs.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_HANDLER = "core.login_throttle.AxesHandler"
AXES_CLIENT_IP_CALLABLE = "core.login_throttle.client_ip"
LOGIN_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", 0)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

ROOT_URLCONF = "collections_app.urls"
WSGI_APPLICATION = "collections_app.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "collections_app.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
}
# An optional read replica for reads that may lag (dashboards, reports, exports:
# core.replica). Tests mirror it onto the primary's test database.
if os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = {
        **env_database("REPLICA_DATABASE_URL", ""),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# Our own locale formats where Django's do not suit (zh_Hans: thousands separators).
FORMAT_MODULE_PATH = ["collections_app.formats"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "collections",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_PASSWORD_VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_PASSWORD_VALIDATION}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_PASSWORD_VALIDATION}.MinimumLengthValidator"},
    {"NAME": f"{_PASSWORD_VALIDATION}.CommonPasswordValidator"},
    {"NAME": f"{_PASSWORD_VALIDATION}.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: English and Simplified Chinese from the start.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_time_zone("TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Call recordings: outside MEDIA_ROOT and every URL; only the scope-checked view
# serves them (calls.recordings). Audio only, at most RECORDING_MAX_BYTES each.
RECORDINGS_ROOT = Path(os.environ.get("RECORDINGS_ROOT", VAR_DIR / "recordings"))
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
# CSV imports from the web page and the API (imports.services.import_submit): at most
# IMPORT_MAX_BYTES per file (larger files: the import_portfolio command), kept in
# IMPORT_FILES_ROOT (outside every URL) and loaded by a Celery worker. A run still
# "running" IMPORT_STALE_MINUTES after it started is marked failed by the beat task
# (its worker died) and may be restarted from its page.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
IMPORT_FILES_ROOT = Path(os.environ.get("IMPORT_FILES_ROOT", VAR_DIR / "imports"))
IMPORT_STALE_MINUTES = env_int("IMPORT_STALE_MINUTES", 30, minimum=2)
# Uploads above this size stream to a temporary file instead of memory (Django's
# default, written out because the imports rely on it); form fields are capped apart.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Security: secure cookies and HSTS outside DEBUG (`manage.py check --deploy` clean).
SESSION_COOKIE_HTTPONLY = True
# Sessions end after this long without a request, and this long after signing in
# however active (core.middleware.SessionTimeoutMiddleware); the cookie and the
# stored session expire with the absolute lifetime.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    # Integration tokens first: an anonymous call then answers 401 with
    # `WWW-Authenticate: Bearer`. Sessions serve the browser; DRF's own Token is
    # kept for existing scripts (unscoped: it acts with the user's full role).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.permissions.TokenHasScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "integrations.throttling.IntegrationTokenRateThrottle",
    ],
    # JSON nested deeper than API_MAX_JSON_DEPTH is a 400 (core.parsers); forms
    # and multipart stay available (the import upload uses them).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "integrations.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        # django-filter, with date-time values turned into UTC (integrations.filters)
        "integrations.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # limit (1..API_MAX_PAGE_SIZE) and offset validated: 400 naming the parameter.
    "DEFAULT_PAGINATION_CLASS": "core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
}
# The largest page a list answers (`?limit=`); above it, 400. JSON bodies nested
# deeper than API_MAX_JSON_DEPTH levels are refused (400).
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500, minimum=1)
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 32, minimum=2)
# Integration tokens: default requests per period per token (a token may set its
# own), and how often last_used_at is written (not on every request).
INTEGRATION_TOKEN_RATE = os.environ.get("INTEGRATION_TOKEN_RATE", "1200/min")
_RATE_RE = r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)"
if not re.fullmatch(_RATE_RE, INTEGRATION_TOKEN_RATE):
    raise ImproperlyConfigured(
        f"INTEGRATION_TOKEN_RATE={INTEGRATION_TOKEN_RATE!r}: write e.g. 1200/min."
    )
INTEGRATION_TOKEN_LAST_USED_SECONDS = env_int("INTEGRATION_TOKEN_LAST_USED_SECONDS", 60)
# Outbound webhooks: seconds to wait for a receiver's answer; hosts exempt from the
# https-to-public-addresses rule (integrations.destinations), as `host` or
# `host:port`, e.g. "127.0.0.1:8080,receiver.internal".
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10, minimum=1)
WEBHOOK_ALLOWED_HOSTS = env_host_ports("WEBHOOK_ALLOWED_HOSTS")
SPECTACULAR_SETTINGS = {
    "TITLE": "Collections case manager API",
    "DESCRIPTION": "Customers, loans, payments, cases and the compliance gate.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for signed-in users (sessions or tokens): the
    # anonymous get 401 like the rest of the API; the docs page redirects to login.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several fields are called "channel" with different choices; name each enum so
    # the schema is stable and `check --deploy` stays free of warnings.
    "ENUM_NAME_OVERRIDES": {
        "ContactChannelEnum": "compliance.models.Channel",
        "ContactPointChannelEnum": "cases.models.ContactPoint.Channel",
        "MessageChannelEnum": "messaging.models.MessageTemplate.Channel",
        "ImportKindEnum": "imports.models.ImportRun.Kind",
    },
}

# Celery: Redis when REDIS_URL is set, else a filesystem broker that needs no server.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3900}
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Late acks and reject-on-lost are the safe default; the env switch exists so the
# fault tests can run the early-ack negative control.
CELERY_TASK_ACKS_LATE = env_bool("CELERY_TASK_ACKS_LATE", True)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 3600
CELERY_TASK_SOFT_TIME_LIMIT = 3300
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# The beat schedule is code, reviewed like code; one beat process runs it. The
# escalation rules themselves live in the database, edited by admins.
# The print vendor's daily batch of letters: hour and minute, TIME_ZONE.
LETTER_BATCH_HOUR = env_int("LETTER_BATCH_HOUR", 17)
LETTER_BATCH_MINUTE = env_int("LETTER_BATCH_MINUTE", 0)
if LETTER_BATCH_HOUR > 23 or LETTER_BATCH_MINUTE > 59:
    raise ImproperlyConfigured(
        f"LETTER_BATCH_HOUR={LETTER_BATCH_HOUR} / LETTER_BATCH_MINUTE="
        f"{LETTER_BATCH_MINUTE}: give an hour 0-23 and a minute 0-59."
    )
CELERY_BEAT_SCHEDULE = {
    # Proves beat and a worker alive for /readyz (READYZ_HEARTBEAT_MAX_AGE).
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 30.0},
    # escalation.tasks.run_escalation_sweep, registered under its old name.
    "escalation-sweep": {"task": "cases.tasks.run_escalation_sweep", "schedule": 300.0},
    "dispatch-outbox": {"task": "messaging.tasks.dispatch_outbox", "schedule": 15.0},
    "recover-stale-outbox": {
        "task": "messaging.tasks.recover_stale_outbox",
        "schedule": 60.0,
    },
    "refresh-delinquency": {
        "task": "cases.tasks.refresh_delinquency",
        "schedule": crontab(hour=1, minute=0),
    },
    "refresh-promises-and-plans": {
        "task": "cases.tasks.refresh_promises_and_plans",
        "schedule": crontab(hour=1, minute=30),
    },
    # The supervisor dashboard's roll rates read one bucket snapshot per day, taken
    # after the delinquency refresh; payments are credited to the last caller.
    # Cases the gate deferred are asked about again in batches before the working
    # day (calls.services.call_queue_recheck), not one "Next case" press at a time.
    "recheck-call-queue": {
        "task": "calls.tasks.recheck_call_queue",
        "schedule": crontab(hour=6, minute=30),
    },
    "bucket-snapshot": {
        "task": "supervision.tasks.take_bucket_snapshot",
        "schedule": crontab(hour=1, minute=45),
    },
    "credit-payments": {"task": "supervision.tasks.credit_payments", "schedule": 300.0},
    "warm-dashboards": {"task": "supervision.tasks.warm_dashboards", "schedule": 60.0},
    "recover-stale-imports": {
        "task": "imports.tasks.recover_stale_imports",
        "schedule": 300.0,
    },
    # The print vendor's batch of the day's rendered letters (decision 47).
    "letter-print-batch": {
        "task": "messaging.tasks.cut_print_batch",
        "schedule": crontab(hour=LETTER_BATCH_HOUR, minute=LETTER_BATCH_MINUTE),
    },
    # Each decision chain's head, once a day, to the log, /metrics and the anchor
    # table (compliance.chain; issue 15, finding 3).
    "ledger-anchor": {
        "task": "compliance.tasks.ledger_anchor",
        "schedule": crontab(hour=0, minute=5),
    },
}

# How many hash chains the decision ledger is spread over: concurrent writers (sweep
# batch processes, gate calls) each lock one; more shards than concurrent writers
# means none waits. PostgreSQL only (SQLite: one). Lowering it later is safe.
LEDGER_CHAIN_SHARDS = env_int("LEDGER_CHAIN_SHARDS", 16, minimum=1)

# /metrics: a bearer token for the scraper, or else the networks that may read it.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(net)
        for net in env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {exc}") from None

# /readyz: how old the beat+worker heartbeat may be (it is written every 30 s), and
# whether readiness needs it at all (0 for a web-only probe).
READYZ_HEARTBEAT_MAX_AGE = env_int("READYZ_HEARTBEAT_MAX_AGE", 120, minimum=31)
READYZ_REQUIRE_WORKER = env_bool("READYZ_REQUIRE_WORKER", True)

# SQLite ignores the INCLUDE columns of the ledger's covering index (PostgreSQL uses
# them); the warning says nothing actionable on a development database.
SILENCED_SYSTEM_CHECKS = (
    ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []
)

# Domain settings.
DEFAULT_RULE_PACK = os.environ.get("DEFAULT_RULE_PACK", "cn")
if DEFAULT_RULE_PACK not in {"cn", "us", "uk"}:
    raise ImproperlyConfigured(
        f"DEFAULT_RULE_PACK={DEFAULT_RULE_PACK!r}: choose one of cn, us, uk."
    )
DPD_BUCKETS = [(1, 30, "1-30"), (31, 60, "31-60"), (61, 90, "61-90"), (91, None, "90+")]
# A policy draft goes live only when a second admin approves it (docs/configuration.md).
CONFIGURATION_ACTIVATION_APPROVAL = env_bool("CONFIGURATION_ACTIVATION_APPROVAL", False)

# Logs: JSON lines (LOG_FORMAT=json, the default outside DEBUG) or readable lines
# (console), through structlog, for Django's, Celery's and our own loggers alike.
# django-structlog binds a request id to every line of a request and carries it into
# the Celery tasks the request starts; core.logs.pii_scrub masks phone numbers,
# emails and national ids that reach a log line anyway (docs/operations.md, "Logs").
LOG_FORMAT = os.environ.get("LOG_FORMAT", "console" if DEBUG or TESTING else "json")
if LOG_FORMAT not in {"json", "console"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or console.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {"()": log_formatter, "log_format": LOG_FORMAT},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "structured"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
structlog_configure()
DJANGO_STRUCTLOG_CELERY_ENABLED = True

# Outbound messaging: SMS through a pluggable backend, email through Django's framework.
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND",
    "messaging.sms.LocmemBackend" if TESTING else "messaging.sms.ConsoleBackend",
)
# Outbox channels delivered by a sender named here: webhooks by an app above
# messaging (the layers in .importlinter); letters are rendered to PDF and wait for
# the print batch (messaging.services.letters, decision 47).
OUTBOX_CHANNEL_SENDERS = {
    "webhook": "integrations.delivery.webhook_deliver",
    "letter": "messaging.services.letters.letter_produce",
}
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(VAR_DIR / "sms.jsonl"))
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "5"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "collections@example.com")
COLLECTIONS_HOTLINE = os.environ.get("COLLECTIONS_HOTLINE", "400-820-0000")

# The debtor's self-service link (issue 21, decision 50; docs/self-service.md).
SELF_SERVICE_BASE_URL = os.environ.get("SELF_SERVICE_BASE_URL", "http://127.0.0.1:8000")
SELF_SERVICE_LINK_DAYS = int(os.environ.get("SELF_SERVICE_LINK_DAYS", "14"))
# What the identity check asks: "national_id_last4" (the last four characters of the
# national id) or "date_of_birth" (asked of customers whose national id carries it,
# an 18-character PRC resident id; the others get the last four).
SELF_SERVICE_IDENTITY_QUESTION = os.environ.get(
    "SELF_SERVICE_IDENTITY_QUESTION", "national_id_last4"
)
if SELF_SERVICE_IDENTITY_QUESTION not in ("national_id_last4", "date_of_birth"):
    raise ImproperlyConfigured(
        "SELF_SERVICE_IDENTITY_QUESTION must be national_id_last4 or date_of_birth, "
        f"not {SELF_SERVICE_IDENTITY_QUESTION!r}."
    )
SELF_SERVICE_MAX_FAILED_CHECKS = 5
SELF_SERVICE_LOCK_MINUTES = 30
SELF_SERVICE_SESSION_MINUTES = 30
SELF_SERVICE_HOW_TO_PAY = os.environ.get(
    "SELF_SERVICE_HOW_TO_PAY",
    "Pay into your loan account at any branch, by bank transfer quoting your account "
    "number, or in the mobile banking app (Loans > Repay).",
)
SELF_SERVICE_HOW_TO_PAY_ZH = os.environ.get(
    "SELF_SERVICE_HOW_TO_PAY_ZH",
    "可在任一网点存入您的贷款还款账户，或转账时注明贷款账号，或在手机银行“贷款—还款”中还款。",
)
# Letters (decision 47): the letterhead in each language, an optional logo (PNG or
# JPEG), the TrueType font embedded for CJK text (Debian's fonts-wqy-microhei; when
# the file is missing, reportlab's built-in STSong-Light, not embedded), and where
# the PDFs and the print vendor's batches are kept (outside every URL). Beat cuts the
# day's batch at LETTER_BATCH_HOUR:LETTER_BATCH_MINUTE, TIME_ZONE.
LETTER_BANK_NAME = os.environ.get("LETTER_BANK_NAME", "Example Bank")
LETTER_BANK_NAME_ZH = os.environ.get("LETTER_BANK_NAME_ZH", "示例银行")
LETTER_BANK_ADDRESS = os.environ.get(
    "LETTER_BANK_ADDRESS", "100 Century Avenue, Pudong\nShanghai 200120"
).replace("\\n", "\n")
LETTER_BANK_ADDRESS_ZH = os.environ.get(
    "LETTER_BANK_ADDRESS_ZH", "上海市浦东新区世纪大道100号\n邮编 200120"
).replace("\\n", "\n")
LETTER_LOGO_PATH = os.environ.get("LETTER_LOGO_PATH", "")
if LETTER_LOGO_PATH and not Path(LETTER_LOGO_PATH).is_file():
    raise ImproperlyConfigured(
        f"LETTER_LOGO_PATH={LETTER_LOGO_PATH!r} is not a file: give a PNG or JPEG "
        "file, or leave it empty for letters without a logo."
    )
LETTER_FONT_PATH = os.environ.get(
    "LETTER_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
)
LETTER_PDF_COMPRESS = env_bool("LETTER_PDF_COMPRESS", True)
LETTERS_ROOT = Path(os.environ.get("LETTERS_ROOT", VAR_DIR / "letters"))
# The sweep moves cases in batches of this many, one transaction each; a step's
# batches run in this many processes at once (PostgreSQL only; one per core).
ESCALATION_SWEEP_BATCH_SIZE = env_int("ESCALATION_SWEEP_BATCH_SIZE", 5000, minimum=1)
ESCALATION_SWEEP_WORKERS = env_int("ESCALATION_SWEEP_WORKERS", 2, minimum=1)
# The scheduled sweep fans its batches out as Celery tasks any worker machine takes
# (escalation/fanout.py); off, it forks ESCALATION_SWEEP_WORKERS processes inside the
# one worker that runs it. A run still unfinished after ESCALATION_SWEEP_STALE_MINUTES
# (a lost task) no longer holds the next one back.
ESCALATION_SWEEP_FANOUT = env_bool("ESCALATION_SWEEP_FANOUT", True)
ESCALATION_SWEEP_STALE_MINUTES = env_int(
    "ESCALATION_SWEEP_STALE_MINUTES", 60, minimum=1
)
# Runs (and their batches' case lists) are kept this long for operators, then deleted
# when a run starts; what the sweep did stays in the ledger and the outbox.
ESCALATION_SWEEP_RUNS_KEEP_DAYS = env_int(
    "ESCALATION_SWEEP_RUNS_KEEP_DAYS", 30, minimum=1
)
# Outbox dispatch: rows per claim, attempts before the dead letter, claim lease.
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 500, minimum=1)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5, minimum=1)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300, minimum=1)
# Sends in flight at once per dispatcher (threads waiting on the gateway).
OUTBOX_SEND_CONCURRENCY = env_int("OUTBOX_SEND_CONCURRENCY", 8, minimum=1)
# Repayment plans: small ones are approved at once, the rest go to a supervisor
# (0 = every plan to a supervisor). CN.PLAN caps an agreement at 60 instalments.
PLAN_AUTO_APPROVE_MAX_INSTALMENTS = env_int("PLAN_AUTO_APPROVE_MAX_INSTALMENTS", 0)
PLAN_AUTO_APPROVE_MAX_DAYS = env_int("PLAN_AUTO_APPROVE_MAX_DAYS", 180)
PLAN_MAX_INSTALMENTS = env_int("PLAN_MAX_INSTALMENTS", 60, minimum=1)
# Four eyes: whoever proposed a plan may not approve it (admins excepted, as for
# exception requests).
PLAN_FOUR_EYES = env_bool("PLAN_FOUR_EYES", True)
# How far ahead a promise to pay and a plan's last instalment may fall (days from
# today). The services refuse later dates, so the pages, the guided call and the API
# all get the same bound.
PROMISE_MAX_DAYS = env_int("PROMISE_MAX_DAYS", 90, minimum=1)
PLAN_MAX_DAYS = env_int("PLAN_MAX_DAYS", 1830, minimum=1)
# Arrangement terms (decision 46): the defaults of a product without terms of its
# own (configuration, "Arrangement terms"). A plan whose first instalment falls
# later than this many days from today, or with an instalment below the smallest
# amount (whole currency units, 0: none), waits for a supervisor.
PLAN_MAX_FIRST_PAYMENT_DAYS = env_int("PLAN_MAX_FIRST_PAYMENT_DAYS", 90, minimum=1)
PLAN_MIN_INSTALMENT = env_int("PLAN_MIN_INSTALMENT", 0)
# Reveals of masked PII (national id, address, a contact value) one user may make
# in any hour; each needs a reason and leaves an audit row.
PII_REVEAL_LIMIT_PER_HOUR = env_int("PII_REVEAL_LIMIT_PER_HOUR", 30, minimum=1)
# Attempts reported by external dialers and agencies (POST contact-attempts/): at
# most this far in the reporter's future (clock skew) and this old.
EXTERNAL_ATTEMPT_CLOCK_SKEW_SECONDS = env_int(
    "EXTERNAL_ATTEMPT_CLOCK_SKEW_SECONDS", 300
)
EXTERNAL_ATTEMPT_MAX_AGE_DAYS = env_int("EXTERNAL_ATTEMPT_MAX_AGE_DAYS", 30, minimum=1)
# "Next case": how long a collector holds a claimed call task before others may take it.
CLAIM_MINUTES = env_int("CLAIM_MINUTES", 15, minimum=1)
# The call queue's next action time (decision 42, docs/collector.md). A pending
# promise or an active plan keeps its case out of "Next case" until its next due date
# plus ARRANGEMENT_GRACE_DAYS (late-posted payments); after a call the case waits
# CALL_RETRY_MINUTES when nobody was reached, and after a conversation the pack's
# post-conversation cooldown or, for a pack without one, CALL_AFTER_CONVERSATION_HOURS.
# A skipped case waits CALL_SKIP_MINUTES; a case the gate blocks with no end is
# looked at again after CALL_HELD_RECHECK_DAYS when a restriction holds it (a legal
# hold, a cease request: ending the restriction brings it back at once), else after
# CALL_BLOCKED_RECHECK_MINUTES (e.g. every number invalid).
ARRANGEMENT_GRACE_DAYS = env_int("ARRANGEMENT_GRACE_DAYS", 3)
# A reply or a payment pauses the "N days after the previous rung" steps for this
# many days, then the ladder goes on (docs/escalation.md).
LADDER_REPLY_PAUSE_DAYS = env_int("LADDER_REPLY_PAUSE_DAYS", 7)
CALL_RETRY_MINUTES = env_int("CALL_RETRY_MINUTES", 120, minimum=1)
CALL_AFTER_CONVERSATION_HOURS = env_int("CALL_AFTER_CONVERSATION_HOURS", 24, minimum=1)
CALL_SKIP_MINUTES = env_int("CALL_SKIP_MINUTES", 60, minimum=1)
CALL_BLOCKED_RECHECK_MINUTES = env_int("CALL_BLOCKED_RECHECK_MINUTES", 60, minimum=1)
CALL_HELD_RECHECK_DAYS = env_int("CALL_HELD_RECHECK_DAYS", 30, minimum=1)
SMS_WEBHOOK_SECRET = os.environ.get(
    "SMS_WEBHOOK_SECRET", "dev-webhook-secret" if DEBUG or TESTING else ""
)
