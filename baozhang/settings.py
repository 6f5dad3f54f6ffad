"""One settings module, driven by the environment (healthchecks' habit).

Environment:
  BAOZHANG_HOME      data folder for the embedded default (default ./var)
  DATABASE_URL       postgres://… for production; unset means SQLite in BAOZHANG_HOME
  DATABASE_POOL_MAX  PostgreSQL connections a process keeps in psycopg's pool (`baozhang
                     web`: 8 per process; 0: no pool); DATABASE_POOL_MIN (1),
                     DATABASE_POOL_TIMEOUT (2 s a request waits for a free one)
  WEB_ADMISSION_LIMIT  requests of a web process let into Django at once (default: the
                     pool's size less one; 0: no limit); WEB_ADMISSION_WAIT (30 s in line)
  DATABASE_CONN_MAX_AGE  without a pool, seconds a thread keeps its connection
                     (`baozhang worker`: 600; otherwise 0, one per request)
  DATABASE_PGBOUNCER "1" behind PgBouncer in transaction mode (docs/deploy.md)
  SECRET_KEY         or SECRET_KEY_FILE; unset means a key generated once in BAOZHANG_HOME
  DEBUG              "1" to enable Django's debug pages
  ALLOWED_HOSTS      comma-separated, default "127.0.0.1,localhost"
  SECURE_COOKIES     "1" behind HTTPS: Secure cookies, HSTS, X-Forwarded-Proto trusted.
                     Unset: cookies are Secure unless DEBUG (browsers keep them over
                     plain HTTP only on localhost/127.0.0.1, as `baozhang up` serves);
                     "0" to serve plain HTTP on another address (sign-in needs it there)
  BAOZHANG_TIME_ZONE default calendar time zone (Asia/Shanghai)
  BAOZHANG_BACKUP_DIR        folder of the worker's periodic platform backups (unset: none)
  BAOZHANG_BACKUP_KEEP       how many of them to keep, newest first (default 7)
  BAOZHANG_BACKUP_EVERY      seconds between them (default 86400, a day)
  BAOZHANG_BACKUP_HEARTBEAT  token of a push monitor told of each run (docs/backup.md)
  BAOZHANG_OUTBOUND_ALLOW_HOSTS  comma-separated host names ("hooks.corp.example",
                     "*.corp.example") and addresses or networks ("10.1.2.0/24", "::1")
                     that notifications (webhooks, SMS gateways, SMTP servers, bots) may
                     reach although they are not public. Default empty: loopback,
                     private, link-local and other non-public addresses are refused,
                     after DNS resolution, when a channel is saved and when it sends.
                     E.g. "127.0.0.1" for an SMTP relay on this machine.
Any variable NAME can be read from a file named by NAME_FILE (for container secrets).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name, "")
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


HOME = Path(env("BAOZHANG_HOME", "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    value = env("SECRET_KEY")
    if value:
        return value
    key_file = HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
    "baozhang.accounts",
    "baozhang.events",
    "baozhang.notify",
    "baozhang.jobs",
    "baozhang.calendars",
    "baozhang.catalog",
    "baozhang.assets",
    "baozhang.sla",
    "baozhang.desk",
    "baozhang.calls",
    "baozhang.mailin",
    "baozhang.staffing",
    "baozhang.monitoring",
    "baozhang.incidents",
    "baozhang.maintenance",
    "baozhang.analysis",
    "baozhang.upkeep",
    "baozhang.patches",
    "baozhang.changes",
    "baozhang.backups",
    "baozhang.status",
    "baozhang.quality",
    "baozhang.web",
    "baozhang.api",
    "baozhang.platform_backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "baozhang.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "baozhang.accounts.middleware.RequireVerifiedMiddleware",
    "baozhang.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last: it turns a lockout raised during authenticate() into its response.
    "axes.middleware.AxesMiddleware",
]

# The API's requests with a bearer token and no cookie (scripts, monitoring systems) take a
# shorter chain: no session, CSRF, session sign-in, two-factor, messages or lockout, none of
# which applies to a token (web/handler.py; the token names the person and its language).
API_TOKEN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "baozhang.web.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "baozhang.web.handler.AnonymousUntilTokenMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "baozhang.urls"
WSGI_APPLICATION = "baozhang.wsgi.application"
ASGI_APPLICATION = "baozhang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baozhang.web.context.navigation",
            ],
            # Durations and times as people say them, for every app's templates.
            "libraries": {"plain": "baozhang.ui.plain_tags"},
        },
    },
]


def hold_connections(db: dict[str, Any]) -> None:
    """How a process holds its PostgreSQL connections (docs/deploy.md, docs/decisions.md
    "Serving"): psycopg's pool of at most DATABASE_POOL_MAX, shared by the threads of the
    process (ASGI runs each request on a thread of its own, so connections kept per thread
    ran PostgreSQL out of slots); or, with DATABASE_POOL_MAX=0, a connection per thread,
    closed after each request or kept DATABASE_CONN_MAX_AGE seconds. The roles choose
    their defaults (baozhang.cli.hold_connections); unset, a connection per request."""
    options = db.setdefault("OPTIONS", {})
    pool_max = int(env("DATABASE_POOL_MAX", "0"))
    if pool_max > 0:
        db["CONN_MAX_AGE"] = 0
        options["pool"] = {
            "min_size": min(int(env("DATABASE_POOL_MIN", "1")), pool_max),
            "max_size": pool_max,
            # A request waits this long for a free connection, then fails (503): short enough
            # that a load balancer hears of a database outage while it lasts.
            "timeout": float(env("DATABASE_POOL_TIMEOUT", "2")),
        }
        # The pool checks a connection it hands out by a look at its socket, not by a
        # round trip per request (baozhang/pgpool).
        db["ENGINE"] = "baozhang.pgpool"
    else:
        options.pop("pool", None)
        db["ENGINE"] = "django.db.backends.postgresql"
        db["CONN_MAX_AGE"] = int(env("DATABASE_CONN_MAX_AGE", "0"))
    db["CONN_HEALTH_CHECKS"] = True
    if env("DATABASE_APPLICATION_NAME"):
        options["application_name"] = env("DATABASE_APPLICATION_NAME")
    if env_bool("DATABASE_PGBOUNCER", False):
        # PgBouncer in transaction mode: no server-side cursors and no prepared
        # statements, which live in one server connection only.
        db["DISABLE_SERVER_SIDE_CURSORS"] = True
        options["prepare_threshold"] = None


# Database: SQLite in WAL mode under BAOZHANG_HOME unless DATABASE_URL says otherwise.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    DATABASES["default"].setdefault("TEST", {})
    if env("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = env("TEST_DATABASE_NAME")
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        hold_connections(DATABASES["default"])
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": HOME / "baozhang.sqlite3",
            "OPTIONS": {
                # IMMEDIATE: a writer takes the lock at BEGIN, so two workers claiming the
                # same row wait for each other instead of failing on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not memory, so that worker subprocesses in tests share the database;
            # one per test process, so that two test runs never share one.
            "TEST": {"NAME": str(HOME / f"test-{os.getpid()}.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "baozhang.accounts.backends.ActiveOrganisationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in lockout (X4): six wrong passwords for one account lock it for the cool-off time,
# whichever address they come from.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "6"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Lockout is per account, not per address: many customers reach us from behind one NAT
# egress, and locking an address would lock out a whole office (docs/decisions.md).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SECURE = SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only when told that HTTPS is in front: a proxy's X-Forwarded-Proto is trusted then, and
# never on the embedded default, where any client could send it.
if SECURE and env("SECURE_COOKIES"):
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

OTP_TOTP_ISSUER = "Baozhang"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("BAOZHANG_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = HOME / "media"

# Notifications (outbox): how many tries before a message is dead, and the backoff.
NOTIFY_MAX_ATTEMPTS = int(env("NOTIFY_MAX_ATTEMPTS", "8"))
NOTIFY_BACKOFF_BASE_SECONDS = float(env("NOTIFY_BACKOFF_BASE_SECONDS", "30"))
NOTIFY_BACKOFF_MAX_SECONDS = float(env("NOTIFY_BACKOFF_MAX_SECONDS", "3600"))
NOTIFY_LEASE_SECONDS = float(env("NOTIFY_LEASE_SECONDS", "120"))
NOTIFY_SEND_TIMEOUT_SECONDS = float(env("NOTIFY_SEND_TIMEOUT_SECONDS", "15"))
# Outbox messages a worker's sender takes at once and records together (notify.delivery).
NOTIFY_BATCH_SIZE = int(env("NOTIFY_BATCH_SIZE", "16"))
# Non-public hosts and networks notifications may reach (baozhang.notify.outbound).
OUTBOUND_ALLOW_HOSTS = [
    h.strip() for h in env("BAOZHANG_OUTBOUND_ALLOW_HOSTS", "").split(",") if h.strip()
]

# Service desk (D2, D3): the complaint answer and refund limits, the desk's calendar for
# the default limits, and the share of a limit at which a warning goes out.
DESK_COMPLAINT_LIMIT = env("DESK_COMPLAINT_LIMIT", "10wd")
DESK_REFUND_LIMIT = env("DESK_REFUND_LIMIT", "7wd")
# The calendar whose working days count the complaint and refund limits.
DESK_WORKING_DAYS_CALENDAR = env("DESK_WORKING_DAYS_CALENDAR", "cn-5x8")
DESK_CALENDAR = env("DESK_CALENDAR", "24x7")
DESK_WARN_SHARE = float(env("DESK_WARN_SHARE", "0.75"))
# Callbacks (D4): due within this business time after resolution; an answer at or below
# DESK_UNSATISFIED_AT either reopens the ticket or opens a complaint.
DESK_CALLBACK_WITHIN = env("DESK_CALLBACK_WITHIN", "PT8H")
DESK_CALLBACK_CALENDAR = env("DESK_CALLBACK_CALENDAR", "cn-5x8")
DESK_UNSATISFIED_AT = int(env("DESK_UNSATISFIED_AT", "2"))
DESK_UNSATISFIED_ACTION = env("DESK_UNSATISFIED_ACTION", "reopen")  # or "complaint"
# Cause analysis (Q2): an improvement action due "in N working days" counts them on this
# calendar (the operator's business days).
ANALYSIS_CALENDAR = env("ANALYSIS_CALENDAR", "cn-5x8")
# Patches (M5): the time each severity allows, from the match (w: working days on
# PATCH_CALENDAR, d: calendar days), core.patches.parse_policy.
PATCH_DEADLINES = env("PATCH_DEADLINES", "critical=2w,high=10w,medium=30w,low=90d")
PATCH_CALENDAR = env("PATCH_CALENDAR", "cn-5x8")
# The quality report (Q3): drafted after each month, quarter and year closes, due on the
# 5th working day after on this calendar, assigned to this person (a username; empty: the
# first quality inspector, else the first service director).
QUALITY_REPORT_CALENDAR = env("QUALITY_REPORT_CALENDAR", "cn-5x8")
QUALITY_REPORT_ASSIGNEE = env("QUALITY_REPORT_ASSIGNEE", "")
# The shared secret the SMS gateway sends with each inbound text (empty: webhook off).
SMS_WEBHOOK_TOKEN = env("SMS_WEBHOOK_TOKEN", "")
# The address people reach the platform at, for links in e-mails and messages.
BAOZHANG_BASE_URL = env("BAOZHANG_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Monitoring (issue 5): raw results are kept this many days (rollups and state spells for
# ever); the probe engine's concurrency; how often push heartbeats and silent regions are
# judged; the heartbeat endpoint's group commit (a ping is acknowledged once durable).
MONITOR_RAW_DAYS = int(env("MONITOR_RAW_DAYS", "8"))
PROBE_MAX_IN_FLIGHT = int(env("PROBE_MAX_IN_FLIGHT", "512"))
PROBE_RELOAD_SECONDS = float(env("PROBE_RELOAD_SECONDS", "30"))
# `baozhang probe`: engine processes sharing the local monitors (one per core for thousands
# of checks a second); `baozhang up` runs one engine on a thread.
PROBE_PROCESSES = int(env("PROBE_PROCESSES", "1"))
# Store the local probe's results from a process of its own (1) or a thread (0).
PROBE_INGEST_PROCESS = env("PROBE_INGEST_PROCESS", "1") not in {"0", "false", "no"}
MONITOR_JUDGE_SECONDS = float(env("MONITOR_JUDGE_SECONDS", "10"))
HEARTBEAT_GROUP_MAX = int(env("HEARTBEAT_GROUP_MAX", "2000"))
HEARTBEAT_GROUP_WAIT_MS = float(env("HEARTBEAT_GROUP_WAIT_MS", "2"))
# Pings waiting for the writer of a web process at most; past it a ping is answered 503
# with Retry-After at once (load shedding) instead of waiting ever longer.
HEARTBEAT_QUEUE_MAX = int(env("HEARTBEAT_QUEUE_MAX", "5000"))

# Requests of a web process let into Django at once (baozhang/web/admission.py): empty
# means the database pool's size less the heartbeat writer's connection (no limit without
# a pool); the others wait in the event loop, at most WEB_ADMISSION_WAIT seconds, then 503.
WEB_ADMISSION_LIMIT = env("WEB_ADMISSION_LIMIT", "")
WEB_ADMISSION_WAIT = float(env("WEB_ADMISSION_WAIT", "30"))

# /metrics (baozhang/web/ops.py): a client sends "Authorization: Bearer METRICS_TOKEN" or
# comes from an address or network of METRICS_ALLOW_FROM (comma-separated; default this
# machine's loopback). /healthz and /readyz answer everyone.
METRICS_TOKEN = env("METRICS_TOKEN", "")
METRICS_ALLOW_FROM = [
    a.strip() for a in env("METRICS_ALLOW_FROM", "127.0.0.1,::1").split(",") if a.strip()
]

# E-mail intake: limits, rate limit, polling and the domain of our own Message-IDs.
MAILIN_MAX_ATTACHMENT_BYTES = int(env("MAILIN_MAX_ATTACHMENT_BYTES", str(20 * 1024 * 1024)))
MAILIN_MAX_RAW_BYTES = int(env("MAILIN_MAX_RAW_BYTES", str(100 * 1024 * 1024)))
MAILIN_RATE_LIMIT = int(env("MAILIN_RATE_LIMIT", "10"))
MAILIN_RATE_WINDOW_SECONDS = float(env("MAILIN_RATE_WINDOW_SECONDS", "600"))
MAILIN_POLL_SECONDS = float(env("MAILIN_POLL_SECONDS", "60"))
MAILIN_IMAP_TIMEOUT_SECONDS = float(env("MAILIN_IMAP_TIMEOUT_SECONDS", "30"))
MAILIN_MESSAGE_ID_DOMAIN = env("MAILIN_MESSAGE_ID_DOMAIN", "baozhang.invalid")

# Platform backup (M2, docs/backup.md): the worker's periodic backup, its retention and the
# push monitor it reports to.
BAOZHANG_BACKUP_DIR = env("BAOZHANG_BACKUP_DIR", "")
BAOZHANG_BACKUP_KEEP = int(env("BAOZHANG_BACKUP_KEEP", "7"))
BAOZHANG_BACKUP_EVERY = float(env("BAOZHANG_BACKUP_EVERY", "86400"))
BAOZHANG_BACKUP_HEARTBEAT = env("BAOZHANG_BACKUP_HEARTBEAT", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"quiet_outage": {"()": "baozhang.outage.QuietOutage"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # A database outage answered 503 is logged once per outage, not per request.
        "django.request": {"filters": ["quiet_outage"]},
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}
