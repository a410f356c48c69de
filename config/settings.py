"""Settings for the child protection inspection service.

One module, driven by environment variables. The defaults serve a laptop:
SQLite and Celery's filesystem broker under var/, so `make run` needs nothing
beyond Python. Production sets DATABASE_URL, CELERY_BROKER_URL, CACHE_URL and SECRET_KEY.
A value that cannot be parsed stops start-up with a message naming the variable.
"""

import logging
import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

# pytest sets PYTEST_VERSION in the environment of the process it runs in.
TESTING = "PYTEST_VERSION" in os.environ

env = environ.Env()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE:
        return True
    if raw.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_days(name: str, default: list[int]) -> list[int]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    days = [day.strip() for day in raw.split(",")]
    # A negative day would turn an overdue day into a "reminder".
    if not all(day.isdecimal() for day in days):
        raise ImproperlyConfigured(
            f"{name} must be whole numbers of days, separated by commas (like 7,1), not {raw!r}"
        )
    return [int(day) for day in days]


def env_share(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        share = float(raw)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise ImproperlyConfigured(f"{name} must be a share from 0 to 1 (like 0.10), not {raw!r}")
    return share


DEBUG = env_bool("DEBUG", False)


def env_required_in_production(name: str, *, development: str, why: str) -> str:
    """A value production must name: a default that suits one machine would
    go wrong, quietly, on several (found by a review)."""
    value = os.environ.get(name, "")
    if value:
        return value
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off: {why}")
    return development


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address emails link to, like https://inspections.example.org. Never
# taken from a request's Host header, so a forged header cannot put someone
# else's site in a password link; and only https outside development, as a
# password link is as good as a password for 3 days.
SERVICE_URL = os.environ.get("SERVICE_URL", "").rstrip("/")
if not SERVICE_URL:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SERVICE_URL must be set when DEBUG is off")
    SERVICE_URL = "http://127.0.0.1:8000"
elif not (SERVICE_URL.startswith("https://") or DEBUG or TESTING):
    raise ImproperlyConfigured(f"SERVICE_URL must start with https://, not {SERVICE_URL!r}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "core",
    "accounts",
    "forces",
    "inspections",
    "casefiles",
    "actionplans",
    "dashboard",
]

MIDDLEWARE = [
    # The load balancer's probe, whatever its Host and scheme.
    "core.middleware.HealthzMiddleware",
    # First: the data version is read before the request reads any data.
    "core.fragments.FragmentVersionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    # Early, so every answer says it may not be framed, the request size
    # limit's 413 too (found by the security review).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads the body (the CSRF check reads the form).
    "core.middleware.RequestSizeLimitMiddleware",
    "core.middleware.NoStoreWhenSignedInMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Late, so its 405 still gets every header the middleware above adds.
    "core.middleware.BrowserMethodsOnlyMiddleware",
    # Last, so it can swap a sign-in response for the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
try:
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
except Exception as exc:  # django-environ raises several kinds for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"].get("ENGINE") not in _ENGINES:
    raise ImproperlyConfigured("DATABASE_URL must start with postgres:// or sqlite:///")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write to one file: wait for locks
    # rather than fail, and take the write lock at the start of a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # A database that takes the connection and never answers (packets
    # dropped, a failover half done) held every request, /healthz's too, for
    # ever: libpq waits without limit (found by the on-call review). A
    # connect_timeout in DATABASE_URL's query string wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)


def statement_timeout_options(database: dict) -> dict:
    """The database's OPTIONS, with DATABASE_STATEMENT_TIMEOUT (seconds; 0 or
    unset, none) for PostgreSQL to cancel any query that runs longer.

    Given to libpq as the connection's startup options, not a SET, so it
    costs no query: CONN_MAX_AGE is 0 by default, and a SET would be one more
    query on every request. Web processes get 30 seconds (config/wsgi.py);
    workers and commands none unless the variable is set."""
    seconds = env_int("DATABASE_STATEMENT_TIMEOUT", 0)
    if seconds < 0:
        raise ImproperlyConfigured(f"DATABASE_STATEMENT_TIMEOUT must be 0 or more, not {seconds}")
    options = dict(database.get("OPTIONS", {}))
    if not seconds or database["ENGINE"] != "django.db.backends.postgresql":
        return options
    # Ours first: PostgreSQL applies the options in order, so a
    # statement_timeout in DATABASE_URL's own options wins, as its
    # connect_timeout does; anything else there is kept.
    ours = f"-c statement_timeout={seconds * 1000}"
    options["options"] = f"{ours} {options['options']}" if options.get("options") else ours
    return options


DATABASES["default"]["OPTIONS"] = statement_timeout_options(DATABASES["default"])
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds rendered page fragments (core/fragments.py). It must be
# shared by every process that writes, web and Celery alike: Redis in
# production (CACHE_URL), files under var/ otherwise. A per-process cache
# would let one process serve a fragment another's write made stale.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",  # one client per pool, not per operation
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(
        f"CACHE_URL must start with redis:// or rediss://, not {CACHE_URL!r}"
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / ("cache-test" if TESTING else "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Without a cache shared across machines (CACHE_URL), fragments are cached
# only where every process shares this machine's var/: with DEBUG or in tests.
FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", bool(CACHE_URL) or DEBUG or TESTING)

AUTH_USER_MODEL = "accounts.User"
# A form whose security token is out of date (signed in or out in another tab):
# a page of the service saying so, not Django's bare one.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
# Links to set a password (an invitation, or a forgotten password) work once,
# for 3 days: long enough for someone invited on a Friday, short enough that
# an old email is worth little to anyone who finds it.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
AUTH_PASSWORD_VALIDATORS = [
    # NCSC advice: length over complexity, and no common passwords.
    {
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {
        "NAME": "accounts.validators.UserAttributeSimilarityValidator",
        # This user model's own fields: it has no username or first and last names.
        "OPTIONS": {"user_attributes": ("full_name", "email")},
    },
]
# Argon2id first, as Django and the OWASP password storage advice recommend:
# memory-hard (100 MiB a hash), so a stolen table is costlier to attack on
# graphics cards than with PBKDF2, and it costs the server about half the CPU
# (160 ms against 280 ms for Django 6.1's 1.5 million PBKDF2 rounds, measured
# here). The others only check older hashes, which Django upgrades to
# Argon2 when their owner next signs in.
PRODUCTION_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS
if TESTING:
    # Tests create many users; tests/test_password_hashing.py uses the real list.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded files are private: they live outside the static root, have no URL,
# and are only ever served through a view that checks access.
PRIVATE_STORAGE_ROOT = Path(
    env_required_in_production(
        "PRIVATE_STORAGE_ROOT",
        development=str(VAR_DIR / "private"),
        why="a folder every web and worker process shares, kept across restarts",
    )
)
# Found by the uploads review: nothing stopped an operator putting the uploads
# where the static files are served from, every child's case file with them.
for _public in (STATIC_ROOT, *STATICFILES_DIRS):
    if PRIVATE_STORAGE_ROOT.resolve().is_relative_to(Path(_public).resolve()):
        raise ImproperlyConfigured(
            f"PRIVATE_STORAGE_ROOT ({PRIVATE_STORAGE_ROOT}) must not be inside {_public}: "
            "the static files there are served to anyone"
        )
# Nor the other way round (found by a code review): the nightly clean-up
# (core.retention.orphaned_files_remove) deletes every file in the folder that
# no upload names, so the static files, or the code, would go.
for _kept in (STATIC_ROOT, *STATICFILES_DIRS, BASE_DIR):
    if Path(_kept).resolve().is_relative_to(PRIVATE_STORAGE_ROOT.resolve()):
        raise ImproperlyConfigured(
            f"PRIVATE_STORAGE_ROOT ({PRIVATE_STORAGE_ROOT}) must not hold {_kept}: "
            "its nightly clean-up deletes every file in it that is not an upload"
        )
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security headers. The CSP allows our own origin only, and inline script only
# with the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS only in production; tests and `make run` speak plain http.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# The service is only ever served over HTTPS, so it may ask browsers to
# preload HSTS for its host; nothing is sent to the preload list by this.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Django 6.1 configures mail as MAILERS. Console in development; SMTP in
# production, set by EMAIL_HOST and EMAIL_PORT.
_MAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "core.console_mail.ReadableConsoleBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Only the SMTP backend takes these; the others refuse unknown options.
_SMTP_OPTIONS = {
    "host": os.environ.get("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "use_tls": env_bool("EMAIL_USE_TLS", False),  # STARTTLS, usually on port 587
    "use_ssl": env_bool("EMAIL_USE_SSL", False),  # TLS from the start, usually 465
    "username": os.environ.get("EMAIL_HOST_USER", ""),
    "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "timeout": env_int("EMAIL_TIMEOUT", 30),  # a hung relay never holds a worker
}
if _SMTP_OPTIONS["use_tls"] and _SMTP_OPTIONS["use_ssl"]:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
if (
    _MAIL_BACKEND.endswith("smtp.EmailBackend")
    and (_SMTP_OPTIONS["username"] or _SMTP_OPTIONS["password"])
    and not (_SMTP_OPTIONS["use_tls"] or _SMTP_OPTIONS["use_ssl"])
):
    # The relay's password would cross the network in clear.
    raise ImproperlyConfigured(
        "EMAIL_HOST_USER and EMAIL_HOST_PASSWORD need EMAIL_USE_TLS or EMAIL_USE_SSL"
    )
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _MAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@inspections.example.org")

# Celery. The default broker is a folder, so `make run` needs no Redis.
CELERY_BROKER_URL = env_required_in_production(
    "CELERY_BROKER_URL",
    development="filesystem://",
    # A folder broker on web would keep its tasks from every worker.
    why="the Redis that web and the workers share",
)
if CELERY_BROKER_URL.startswith("filesystem"):
    _queue = str(VAR_DIR / "celery-queue")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue,
        "data_folder_out": _queue,
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "store_processed": False,
        # Kombu's default is ./control, which wrote the exchange table into
        # the working tree (and it was once committed).
        "control_folder": str(VAR_DIR / "celery-control"),
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the longest task, so a task is redelivered only if lost.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        # A Redis that stops answering (packets dropped) fails a request's
        # queuing, or /healthz, in seconds instead of holding a web worker.
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
else:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must start with redis://, rediss:// or filesystem://, "
        f"not {CELERY_BROKER_URL!r}"
    )
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = 600
# What a task prints (the console mail of `make run`) is information, not a
# warning (Celery's default level for it).
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
# The deadline sweep (actionplans.notices), hourly at seven minutes past. It is
# idempotent, so a missed or doubled run is harmless. SWEEP_EVERY_SECONDS runs
# it every so many seconds instead: the real-worker test uses it.
_SWEEP_EVERY_SECONDS = env_int("SWEEP_EVERY_SECONDS", 0)
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "actionplans.tasks.sweep_deadlines",
        "schedule": _SWEEP_EVERY_SECONDS or crontab(minute=7),
    },
    # A fresh copy of every national export (dashboard.export_files) each
    # night, in London time; one already being prepared is not asked twice.
    "prepare-exports": {
        "task": "dashboard.tasks.prepare_exports",
        "schedule": crontab(hour=2, minute=15),
    },
    # The retention policy (core.retention), in London time.
    "apply-retention": {
        "task": "core.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
}

# How long each scheduled job may go without finishing before it is late
# (core.heartbeats): two of its runs missed, and a little more.
SCHEDULED_JOB_ALLOWANCE = {
    "deadline_sweep": timedelta(
        seconds=2 * _SWEEP_EVERY_SECONDS + 60 if _SWEEP_EVERY_SECONDS else 2 * 3600 + 15 * 60
    ),
    "nightly_exports": timedelta(hours=49),
    "retention": timedelta(hours=49),
}

# How long /healthz waits for the broker before calling it down.
HEALTHZ_BROKER_TIMEOUT = 2

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
if LOG_LEVEL not in logging.getLevelNamesMapping():  # WARN too, as logging takes it
    # Else logging's own "Unable to configure root logger" names nothing.
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # When, how bad and where from, so an error can be found and timed.
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own default handler for "django" printed each of its lines a
    # second time, beside the root's (found by a newcomer's first run).
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
if CELERY_BROKER_URL.startswith("filesystem"):
    # The folder broker has no host, and kombu warns of it in every process
    # at every start ("No hostname was supplied"): noise, for `make run` only.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}

# The programme's rules, each changeable by environment variable. The dates
# come from the published methodology (16 April 2024) and the Police Act; the
# cadence, the reminder days, the share of second reviews and the retention
# period are the service's own choices, which the methodology does not set.
PROGRAMME_RULES = {
    # A force is due for inspection when not inspected within this many years.
    "CADENCE_YEARS": env_int("PROGRAMME_CADENCE_YEARS", 4),
    # Action plan: 28 days after the force receives the report for checks.
    "ACTION_PLAN_DAYS": env_int("ACTION_PLAN_DAYS", 28),
    # Updated action plan: 8 weeks after publication.
    "UPDATED_ACTION_PLAN_DAYS": env_int("UPDATED_ACTION_PLAN_DAYS", 8 * 7),
    # Police and crime commissioner's response (Police Act 1996 s55).
    "PCC_RESPONSE_DAYS": env_int("PCC_RESPONSE_DAYS", 56),
    # Notice of a post-inspection visit: at least two weeks.
    "VISIT_NOTICE_DAYS": env_int("VISIT_NOTICE_DAYS", 14),
    # Reminders to the force lead, days before each due date.
    "REMINDER_DAYS_BEFORE": env_days("REMINDER_DAYS_BEFORE", [7, 1]),
    # Share of submitted case reviews routed for a second review.
    "SECOND_REVIEW_SHARE": env_share("SECOND_REVIEW_SHARE", 0.10),
    # Months after closure before case review notes and uploads are deleted.
    "RETENTION_MONTHS": env_int("RETENTION_MONTHS", 24),
}

# Uploads (core/uploads.py): the largest file a person may upload, and
# private files readable by the service's own user (and group) only.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# The largest request body read at all (core.middleware.RequestSizeLimitMiddleware):
# the largest upload (a 50MB case list) and its form. Anything bigger is
# refused before Django spools it to disk. Set the proxy's limit to match.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 51 * 1024 * 1024)
STORAGES["default"]["OPTIONS"].update(file_permissions_mode=0o640, directory_permissions_mode=0o750)

# Sign-in security (accounts/middleware.py, accounts/views.py).
# Sessions end after 30 minutes without a request, and 12 hours after sign-in
# whatever happens; accounts.middleware.SessionTimeoutMiddleware enforces both.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
# The browser forgets the session cookie when it closes: kept on disk for the
# 12 hours, closing the browser on a shared computer did not sign anyone out,
# and whoever opened it next within the 30 minutes was in (found by the
# sign-in review). The server's two limits above still end the session.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Each signed-in page warns this long before either limit and offers to stay
# signed in (WCAG 2.2.1), so an inspector writing a long rationale does not
# lose it to the idle limit (static/js/app.mjs, accounts.views.session_clock).
SESSION_TIMEOUT_WARNING = 2 * 60

# Two-factor authentication with an authenticator app, for every role. Only a
# developer's machine (DEBUG on) may turn it off, for the demo users.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
if not TWO_FACTOR_REQUIRED and not DEBUG:
    raise ImproperlyConfigured("TWO_FACTOR_REQUIRED can only be false when DEBUG is on")
OTP_TOTP_ISSUER = "Child protection inspections"
# Should an authenticator device ever be shown in the Django admin, not its key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# After each wrong code the next try waits 1, 2, 4, 8... seconds (per device).
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout after wrong passwords (django-axes). Five failures for one email
# address from one IP address lock that pair out for 30 minutes. Keyed on the
# pair, not on either alone: by IP alone, one office or force network behind a
# shared address would lock out everyone on it; by email alone, anyone who
# knows an inspector's address could keep them out from anywhere. Guessing
# from many addresses still gets nowhere without the authenticator code,
# which django-otp throttles per device. One IP address trying a password
# against many accounts is limited too, at a far higher count that an
# office's typos do not reach (accounts/sign_in_limit.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Each try while locked out starts the 30 minutes again, so the lockout page's
# "try again in 30 minutes" is always true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_USERNAME_FORM_FIELD = "username"  # SignInForm and the admin's form both say username
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
# Masked in the form data axes keeps with each failure: axes masks only a
# field named "password", and changing a password (accounts.views.password_change)
# counts a wrong current password as a failure.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "current_password",
    "new_password1",
    "new_password2",
]
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
# The number of proxies in front of the app, so the client's address is read
# from X-Forwarded-For. Production must say, even if 0: behind a proxy, a
# default of 0 made every client one address, so five wrong passwords from
# anyone locked a person out, and ten password link requests an hour were
# the whole service's.
PROXY_COUNT = env_required_in_production(
    "PROXY_COUNT", development="0", why="the number of proxies in front of web, or 0"
)
if not PROXY_COUNT.isdigit():
    raise ImproperlyConfigured(f"PROXY_COUNT must be a whole number, not {PROXY_COUNT!r}")
PROXY_COUNT = int(PROXY_COUNT)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip_address"

# NCSC password guidance: long rather than complex, no common passwords, and a
# generous upper limit (pass phrases and password managers) that still bounds
# the hashing work one request can cause.
AUTH_PASSWORD_VALIDATORS.append(
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}}
)
