"""Charter's one settings module. Everything that varies between machines comes from the environment.

Variables are documented in README.md (Configuration). No other module reads the environment.
"""

import base64
import hashlib
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from charter.config.env import env_bool, env_choice, env_int, env_list, env_str

# Django's ModelAdmin, ModelForm, model fields and a few others are generic only in django-stubs; this lets
# the code write ModelAdmin[Case] in a class's bases (strict mypy wants the parameter) without a TypeError.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("CHARTER_VAR_DIR", str(BASE_DIR / "var")))

CHARTER_ENV = env_choice("CHARTER_ENV", ("development", "production"), "development")
PRODUCTION = CHARTER_ENV == "production"

_DEV_SECRET = "charter-development-secret-not-for-production"  # noqa: S105 (refused in production below)
SECRET_KEY = env_str("CHARTER_SECRET_KEY", _DEV_SECRET)
DEBUG = env_bool("CHARTER_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("CHARTER_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CHARTER_CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured("CHARTER_SECRET_KEY must be set to a random value of 40+ characters")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("CHARTER_ALLOWED_HOSTS must name the host names Charter serves")
    if DEBUG:
        raise ImproperlyConfigured("CHARTER_DEBUG must be off in production")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "charter.common",
    "charter.accounts",
    "charter.audit",
    "charter.privacy",
    "charter.standards",
    "charter.catalog",
    "charter.sla",
    "charter.mail",
    "charter.cases",
    "charter.surveys",
    "charter.quality",
    "charter.conduct",
    "charter.improvement",
    "charter.training",
    "charter.assessment",
    "charter.reports",
    "charter.demo",
    # After our apps: where two apps translate the same words, the one listed first wins, and the words of
    # this product are ours (the admin would make every "Filter" button 过滤器 instead of 筛选).
    "django.contrib.admin",
    "django.contrib.auth",
]

MIDDLEWARE = [
    # First: every answer (redirects and refusals too) carries the request id and is counted and logged.
    "charter.common.logging.RequestIdMiddleware",
    "charter.common.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "charter.common.middleware.NulRefusalMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a body (the CSRF check reads the form), after the language is known.
    "charter.common.limits.RequestSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "charter.accounts.twofactor.SecondFactorRequiredMiddleware",
    "charter.accounts.probes.RefusedAccessMiddleware",
    "charter.accounts.middleware.UserLanguageMiddleware",
    "charter.accounts.middleware.UserTimezoneMiddleware",
    "charter.common.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "charter.config.urls"
WSGI_APPLICATION = "charter.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "charter" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "charter.common.context_processors.charter",
            ],
            "builtins": ["charter.common.templatetags.charter"],
        },
    }
]

# Database: SQLite (WAL) by default; DATABASE_URL selects another (postgres://…).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'charter.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CHARTER_DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with writers queued on a file lock rather than SQLite's sleeping retries.
    DATABASES["default"]["ENGINE"] = "charter.common.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the one writer proceed together; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of failing with "database is locked" mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-charter.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Sessions: files under var/sessions on SQLite (one machine), where a session in the database cost every
# request that touched it a write transaction queued on the one write lock; the database on PostgreSQL, which
# every web host shares (charter.common.sessions). CHARTER_SESSION_STORE=db|file overrides.
SESSION_STORE = env_str(
    "CHARTER_SESSION_STORE", "file" if DATABASES["default"]["ENGINE"] == "charter.common.sqlite" else "db"
)
if SESSION_STORE == "file":
    SESSION_ENGINE = "django.contrib.sessions.backends.file"
    SESSION_FILE_PATH = str(VAR_DIR / "sessions")
elif SESSION_STORE != "db":
    raise ImproperlyConfigured(f"CHARTER_SESSION_STORE must be db or file, not {SESSION_STORE!r}")

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: Huey, SQLite storage by default, Redis when REDIS_URL is set. Installations sharing one
# Redis keep their queues apart with CHARTER_HUEY_NAME.
HUEY_NAME = env_str("CHARTER_HUEY_NAME", "charter")
if REDIS_URL:
    HUEY = {"huey_class": "huey.PriorityRedisHuey", "name": HUEY_NAME, "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": HUEY_NAME,
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }
HUEY["consumer"] = {"workers": env_int("CHARTER_WORKER_THREADS", 2, minimum=1), "worker_type": "thread"}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "catalog:home"
CHARTER_LOGIN_MAX_FAILURES = env_int("CHARTER_LOGIN_MAX_FAILURES", 5, minimum=1)
CHARTER_CLIENT_IP_HEADER = env_str("CHARTER_CLIENT_IP_HEADER")
CHARTER_INTAKE_MAX_PER_HOUR = env_int("CHARTER_INTAKE_MAX_PER_HOUR", 20, minimum=1)
# The largest request body read, files included (charter.common.limits: 413 beyond it): by default ten
# case attachments of the largest size allowed (10 MB each) and 1 MB for the form, above the 50 MB of one
# training lesson file.
CHARTER_MAX_REQUEST_BYTES = env_int(
    "CHARTER_MAX_REQUEST_BYTES", 10 * 10 * 1024 * 1024 + 1024 * 1024, minimum=1
)
# A closed case's tracking link stops working this many days after the closure (a new one is sent to the
# contact on record from the lost-link page); reopening the case opens the link again.
CHARTER_TRACKING_LINK_DAYS = env_int("CHARTER_TRACKING_LINK_DAYS", 180, minimum=1)
# The most rows one export of a list page may hold; a longer list asks the reader to narrow the filters.
CHARTER_EXPORT_MAX_ROWS = env_int("CHARTER_EXPORT_MAX_ROWS", 100_000, minimum=1)
# A data-subject request (access, correction, erasure, restriction) is answered within this many working
# days of its receipt; its handler is reminded this many working days before the deadline.
CHARTER_DATA_REQUEST_DAYS = env_int("CHARTER_DATA_REQUEST_DAYS", 15, minimum=1)
CHARTER_DATA_REQUEST_REMIND_DAYS = env_int("CHARTER_DATA_REQUEST_REMIND_DAYS", 3, minimum=1)
CHARTER_LOGIN_LOCKOUT_SECONDS = env_int("CHARTER_LOGIN_LOCKOUT_SECONDS", 900, minimum=1)
# Password reset mails: at most this many per target account an hour, and this many requests per address.
CHARTER_PASSWORD_RESET_MAX_PER_HOUR = env_int("CHARTER_PASSWORD_RESET_MAX_PER_HOUR", 3, minimum=1)
CHARTER_PASSWORD_RESET_MAX_PER_ADDRESS = env_int("CHARTER_PASSWORD_RESET_MAX_PER_ADDRESS", 10, minimum=1)
# Refused accesses (404/403 on object pages) a signed-in user may collect in an hour before it is audited.
CHARTER_PROBE_THRESHOLD = env_int("CHARTER_PROBE_THRESHOLD", 20, minimum=1)
# The issuer name authenticator apps show next to the two-factor entry.
CHARTER_OTP_ISSUER = env_str("CHARTER_OTP_ISSUER", "Charter")
OTP_TOTP_ISSUER = CHARTER_OTP_ISSUER
# Superusers, admin-site staff, administrators and holders of discipline or personal-data export rights must
# sign in with a second factor (accounts.permissions.requires_second_factor). Only the unit tests of other
# apps, which sign people in with force_login, turn this off (tests/conftest.py).
CHARTER_SECOND_FACTOR_REQUIRED = True
# How long a new API token lasts when its maker names no other expiry, and the longest he may ask for.
CHARTER_API_TOKEN_DAYS = env_int("CHARTER_API_TOKEN_DAYS", 90, minimum=1)
CHARTER_API_TOKEN_MAX_DAYS = env_int("CHARTER_API_TOKEN_MAX_DAYS", 365, minimum=1)

# Internationalisation: Chinese first, English complete. Stored in UTC, shown in each user's time zone.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "charter" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("CHARTER_TIME_ZONE", "Asia/Shanghai")
CHARTER_ORGANISATION_NAME = env_str("CHARTER_ORGANISATION_NAME", "")


def site_url_setting(configured: str, *, production: bool, port: str) -> str:
    """Return the address people reach this installation at, without a trailing slash.

    `configured` is CHARTER_SITE_URL, required in production. In development it defaults to the loopback
    address on `port` (PORT, which `make run` serves on; 8000 when unset), so mailed links follow the
    server wherever it runs: the worker renders the mails away from any request and cannot ask one.
    """
    if not configured and not production:
        port = port.strip() or "8000"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ImproperlyConfigured(f"PORT must be a TCP port number, not {port!r}")
        configured = f"http://127.0.0.1:{int(port)}"
    url = configured.strip().rstrip("/")
    scheme, _separator, host = url.partition("://")
    if scheme not in ("https", "http") or not host:
        raise ImproperlyConfigured(
            "CHARTER_SITE_URL must be the address people reach Charter at, e.g. https://charter.example.cn"
        )
    return url


# The address people reach this installation at: links in e-mails (tracking pages, the desk) start with it.
CHARTER_SITE_URL = site_url_setting(env_str("CHARTER_SITE_URL"), production=PRODUCTION, port=env_str("PORT"))

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "charter" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("CHARTER_MEDIA_ROOT", str(VAR_DIR / "media")))

# Mail: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
# Seconds an SMTP conversation may stall; well under the mail worker's lease, so a stalled send is not
# taken for abandoned and sent twice.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 60, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "charter@localhost")
# Production refuses a mail backend that keeps mail in the process or prints it: the console backend would
# write sign-in links, tokens and personal data into the log. `check --deploy` says so too (charter.E001).
if PRODUCTION and EMAIL_BACKEND.rsplit(".", 2)[-2] in ("console", "locmem", "dummy", "filebased"):
    raise ImproperlyConfigured(
        "EMAIL_HOST must name the SMTP server in production: without it Charter would use the "
        f"{EMAIL_BACKEND} mail backend, which never delivers and keeps or prints tokens and personal data"
    )
# IMAP hosts that may be on private addresses (intranet mail servers); others must be public.
CHARTER_MAIL_ALLOWED_HOSTS = env_list("CHARTER_MAIL_ALLOWED_HOSTS")
# A mailbox's first import: older messages open cases without an acknowledgement; and a cap per sender.
CHARTER_MAIL_IMPORT_MAX_AGE_DAYS = env_int("CHARTER_MAIL_IMPORT_MAX_AGE_DAYS", 7, minimum=0)
CHARTER_MAIL_ACK_MAX_PER_SENDER_HOUR = env_int("CHARTER_MAIL_ACK_MAX_PER_SENDER_HOUR", 3, minimum=0)
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _data_keys() -> dict[str, bytes]:
    """Parse CHARTER_DATA_KEYS: `id:base64key,id:base64key`, the first one encrypts, all decrypt."""
    raw = env_list("CHARTER_DATA_KEYS")
    if not raw:
        if PRODUCTION:
            raise ImproperlyConfigured("CHARTER_DATA_KEYS must hold at least one AES-256 key in production")
        return {"dev": hashlib.sha256(b"charter-data-key:" + SECRET_KEY.encode()).digest()}
    keys: dict[str, bytes] = {}
    for item in raw:
        key_id, _sep, encoded = item.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise ImproperlyConfigured(f"CHARTER_DATA_KEYS: key {key_id!r} is not valid base64") from error
        if not key_id.isalnum() or len(key) != 32:
            raise ImproperlyConfigured(
                f"CHARTER_DATA_KEYS: key {key_id!r} needs an alphanumeric id and 32 bytes"
            )
        keys[key_id] = key
    return keys


CHARTER_DATA_KEYS = _data_keys()
_blind = env_str("CHARTER_BLIND_INDEX_KEY")
if PRODUCTION and not _blind:
    raise ImproperlyConfigured("CHARTER_BLIND_INDEX_KEY must be set in production")
CHARTER_BLIND_INDEX_KEY = (_blind or "charter-blind-index:" + SECRET_KEY).encode()
# The key of the audit chain's HMACs: kept outside the database (whoever can write the database must not
# be able to re-chain history). Changing it makes every event written since the chain was keyed fail
# verification: keep it as carefully as CHARTER_DATA_KEYS.
_audit_key = env_str("CHARTER_AUDIT_KEY")
if PRODUCTION and len(_audit_key) < 32:
    raise ImproperlyConfigured("CHARTER_AUDIT_KEY must be set to a random value of 32+ characters")
CHARTER_AUDIT_KEY = (_audit_key or "charter-audit:" + SECRET_KEY).encode()
# Where the daily task exports the audit chain's head (file:/path or mail:address); empty: no export.
CHARTER_AUDIT_HEAD_EXPORT = env_str("CHARTER_AUDIT_HEAD_EXPORT")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "charter.accounts.tokens.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON nested deeper than 100 levels is refused with 400 request_too_deep (charter.common.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "charter.common.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "charter.common.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "charter.common.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Charter API",
    "DESCRIPTION": "Service standards, the public service charter and everything built on them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"LanguageEnum": LANGUAGES},
}

# Security headers. The policy allows nothing from other origins: every asset is served by Charter itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # `__Host-`: the browser takes these cookies only over HTTPS, for the whole site and this exact host (no
    # Domain attribute), so a neighbouring subdomain cannot set or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("CHARTER_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("CHARTER_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("CHARTER_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Intranet hosts have no public DNS to preload; asking for it is the deployment's choice.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# One console handler for everything, Django's own loggers included (their default handlers would print the
# paths of 404s and of every request of the development server as they are): secret links are redacted.
# CHARTER_LOG_FORMAT: `json` (the default in production) writes one JSON object a line with the request id,
# route, user id, status and duration (charter.common.logging), and one line per request
# (`charter.request`); `plain` (the default in development) writes text, without the per-request line
# (the development server prints its own).
CHARTER_LOG_FORMAT = env_choice("CHARTER_LOG_FORMAT", ("json", "plain"), "json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "charter.common.logredact.RedactSecretsFilter"},
        "context": {"()": "charter.common.logging.RequestContextFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "charter.common.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": CHARTER_LOG_FORMAT,
            "filters": ["redact", "context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("CHARTER_LOG_LEVEL", "INFO")},
    "loggers": {
        "huey": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "charter.request": {"level": "INFO" if CHARTER_LOG_FORMAT == "json" else "WARNING"},
    },
}

# /metrics (charter.common.metrics): answered only to `Authorization: Bearer <CHARTER_METRICS_TOKEN>`, 404
# while unset. Under several gunicorn workers, PROMETHEUS_MULTIPROC_DIR (the client library's own variable)
# names an empty directory where each worker writes its request counts for the scrape to add up.
CHARTER_METRICS_TOKEN = env_str("CHARTER_METRICS_TOKEN")
CHARTER_METRICS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")

# Where the heartbeat counts as stale, /healthz reports the worker as down.
CHARTER_WORKER_STALE_SECONDS = env_int("CHARTER_WORKER_STALE_SECONDS", 180, minimum=10)
