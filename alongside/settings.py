"""Settings for Alongside.

Configuration comes from the environment, read by the small strict helpers
below, which fail loudly on a malformed value instead of guessing:

- ``DATABASE_URL``: PostgreSQL in production (``postgres://user@host/db``);
  unset, Alongside uses SQLite at ``var/alongside.sqlite3`` in WAL mode.
- ``SECRET_KEY`` (or ``SECRET_KEY_FILE``): unset, a key is generated once into
  ``var/secret_key`` (never committed).
- Every secret can come from a file instead (Docker or systemd credentials, a 0600
  file): ``SECRET_KEY_FILE``, ``DATABASE_URL_FILE``, ``EMAIL_HOST_PASSWORD_FILE``
  name the file; the variable itself, when set, wins.
- ``ALONGSIDE_DEBUG``: off unless set; ``make run`` sets it for development.
- ``ALONGSIDE_HTTPS``: secure cookies, HSTS and the HTTPS redirect; on unless
  debugging. ``ALONGSIDE_HSTS_PRELOAD`` adds the preload flag (off).
- ``ALLOWED_HOSTS``: comma-separated, added to the loopback names.
- ``ALONGSIDE_CACHE``: ``database`` (production default: shared by every app server) or
  ``memory`` (one process: the default with debugging and in tests); ``REDIS_URL`` wins.
- ``ALONGSIDE_SESSION_IDLE_MINUTES``: a staff session ends after this much idleness
  (``ALONGSIDE_PARTICIPANT_SESSION_IDLE_MINUTES`` for participants).
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ALONGSIDE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def secret_from_env_or_file(name: str) -> str:
    """Read ``NAME`` or the file named by ``NAME_FILE``; else generate one under var/."""
    if os.environ.get(name):
        return os.environ[name]
    if os.environ.get(f"{name}_FILE"):
        return Path(os.environ[f"{name}_FILE"]).read_text().strip()
    path = VAR_DIR / name.lower()
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def env_secret(name: str, default: str = "") -> str:
    """``NAME``, else the contents of the file named by ``NAME_FILE``, else ``default``;
    a ``NAME_FILE`` that cannot be read stops the start, naming the variable."""
    if os.environ.get(name):
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if not file_name:
        return default
    try:
        return Path(file_name).read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"{name}_FILE names {file_name!r}, which cannot be read ({error.strerror})."
        ) from None


DEBUG = env_bool("ALONGSIDE_DEBUG", False)
# Demo accounts (seed_demo) may be created only in demo mode.
DEMO_MODE = env_bool("ALONGSIDE_DEMO", DEBUG)
HTTPS = env_bool("ALONGSIDE_HTTPS", not DEBUG)
SECRET_KEY = secret_from_env_or_file("SECRET_KEY")
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", *env_list("ALLOWED_HOSTS")]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "alongside.core.apps.AlongsideAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "alongside.core",
    "alongside.audit",
    "alongside.accounts",
    "alongside.organizations",
    "alongside.participants",
    "alongside.referrals",
    "alongside.matching",
    "alongside.engagements",
    "alongside.agreements",
    "alongside.consents",
    "alongside.meetings",
    "alongside.plans",
    "alongside.emergencyplans",
    "alongside.teamplans",
    "alongside.contacts",
    "alongside.supervision",
    "alongside.assessments",
    "alongside.exits",
    "alongside.concerns",
    "alongside.reports",
    "alongside.surveys",
    "alongside.notifications",
    "alongside.portal",
    "alongside.api",
    "alongside.fhir",
    "alongside.records",
    "alongside.breakglass",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "alongside.core.limits.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "alongside.core.middleware.UserLanguageMiddleware",
    "alongside.accounts.middleware.SecondFactorMiddleware",
    "alongside.api.throttle.ApiRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "alongside.core.middleware.OrganizationMiddleware",
    "alongside.audit.middleware.AccessLogMiddleware",
    "alongside.breakglass.middleware.EmergencyReadsMiddleware",
    "alongside.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alongside.urls"
WSGI_APPLICATION = "alongside.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alongside.core.context_processors.navigation",
                "alongside.breakglass.context_processors.emergency_access",
            ],
        },
    },
]

# Storage: SQLite by default, PostgreSQL through DATABASE_URL.
DATABASE_URL = env_secret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("ALONGSIDE_SQLITE_PATH", VAR_DIR / "alongside.sqlite3"),
            "OPTIONS": {
                # Writers queue behind one another instead of failing with
                # "database is locked": IMMEDIATE takes the write lock at BEGIN,
                # and the busy timeout waits for it.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: five failures lock that username from that address.
AXES_FAILURE_LIMIT = env_int("ALONGSIDE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ALONGSIDE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The paused-sign-in page, shared with a wrong second-step code.
AXES_LOCKOUT_CALLABLE = "alongside.accounts.security_views.locked_out"
AXES_VERBOSE = False
# Second factor (django-otp): the name authenticator apps show next to the code.
OTP_TOTP_ISSUER = os.environ.get("ALONGSIDE_TOTP_ISSUER", "Alongside")
# Passwords typed to confirm a signature: wrong ones per account, in a window (seconds).
SIGNING_PASSWORD_FAILURES = env_int("ALONGSIDE_SIGNING_PASSWORD_FAILURES", 5)
SIGNING_PASSWORD_WINDOW = 15 * 60
# A signing page older than this (seconds) must be opened again before it signs.
SIGNING_FORM_MAX_AGE = env_int("ALONGSIDE_SIGNING_FORM_MAX_AGE", 60 * 60)

# Sessions end after idleness (staff sooner than participants) and when the browser closes;
# pages warn two minutes before.
SESSION_IDLE_MINUTES = env_int("ALONGSIDE_SESSION_IDLE_MINUTES", 15)
PARTICIPANT_SESSION_IDLE_MINUTES = env_int("ALONGSIDE_PARTICIPANT_SESSION_IDLE_MINUTES", 30)
SESSION_IDLE_WARNING_SECONDS = 120
SESSION_COOKIE_AGE = 60 * max(SESSION_IDLE_MINUTES, PARTICIPANT_SESSION_IDLE_MINUTES)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Joining the browsers' preload list is a promise about every subdomain that is slow to
# take back: an organization's choice (ALONGSIDE_HSTS_PRELOAD), not a default.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("ALONGSIDE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("ALONGSIDE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Scripts and styles come only from this server.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "alongside" / "locale"]
TIME_ZONE = os.environ.get("ALONGSIDE_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# The largest request anyone may send (uploads included), refused with 413 before it is read;
# the largest upload, a scan, is 10 MB.
ALONGSIDE_MAX_REQUEST_BYTES = env_int("ALONGSIDE_MAX_REQUEST_MB", 12) * 1024 * 1024
# Uploaded records (scans of paper signatures): outside the web root, no URL.
PRIVATE_FILES_DIR = Path(os.environ.get("ALONGSIDE_PRIVATE_FILES_DIR", VAR_DIR / "private"))

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# How soon the public referral page promises a coordinator's review.
ALONGSIDE_REFERRAL_REVIEW_BUSINESS_DAYS = env_int("ALONGSIDE_REFERRAL_REVIEW_BUSINESS_DAYS", 2)
# How long a coordinator's emergency ("break the glass") access to a record lasts.
ALONGSIDE_EMERGENCY_ACCESS_MINUTES = env_int("ALONGSIDE_EMERGENCY_ACCESS_MINUTES", 60)

# Email: the console in development; SMTP through EMAIL_* settings in production.
ALONGSIDE_BASE_URL = os.environ.get("ALONGSIDE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "alongside@localhost")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# The meetings export streams up to this many rows; more is built in the background.
ALONGSIDE_EXPORT_INLINE_ROWS = int(os.environ.get("ALONGSIDE_EXPORT_INLINE_ROWS", "1000000"))

# Background work (design.md §5): tasks are rows in the database, run by
# `manage.py db_worker`; no broker. docs/meetings.md says what runs and when.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Meeting reminders by text message: the dotted path of a callable(*, to: str, body: str);
# empty means text reminders are skipped (email still goes).
ALONGSIDE_SMS_SENDER = os.environ.get("ALONGSIDE_SMS_SENDER", "")

# The cache holds rate-limit counts (public referral and concern pages, signing passwords,
# the API), so every app server must see the same one: by default a table in the database
# (`manage.py createcachetable`, run by `make serve` and the deploy steps); Redis through
# REDIS_URL. ALONGSIDE_CACHE=memory keeps it in each process: right for one process only
# (`make run`, the tests), so it is the default there.
CACHE_KIND = os.environ.get(
    "ALONGSIDE_CACHE", "memory" if DEBUG or "pytest" in sys.modules else "database"
)
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
elif CACHE_KIND == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "alongside_cache",
            # Counts live a minute or so; past this many rows the expired ones are swept
            # (Django's default, 300, would drop live counts of a busy minute).
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
elif CACHE_KIND == "memory":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"ALONGSIDE_CACHE must be database or memory, not {CACHE_KIND!r}.")
# The load test's one-query comparison page (alongside/core/baseline.py); never in production.
LOADTEST_BASELINE = env_bool("ALONGSIDE_LOADTEST_BASELINE", False)
# Sessions are rows in the database too (Django's default, said here because it matters):
# any app server can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Requests a minute each API caller (token, signed-in user, else address) may make; 0: no
# limit. Counted in the cache above, shared by every app server.
ALONGSIDE_API_RATE_LIMIT = env_int("ALONGSIDE_API_RATE_LIMIT", 600)
