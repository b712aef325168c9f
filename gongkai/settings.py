"""Gongkai settings: development defaults that need nothing, everything overridable from the
environment (documented in README.md). Production adds its checks in gongkai/settings_production.py.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the running product writes (database, keys, uploads, records) lives here.
VAR_DIR = Path(env_str("GONGKAI_VAR_DIR", str(BASE_DIR / "var")))
KEYS_DIR = Path(env_str("GONGKAI_KEYS_DIR", str(VAR_DIR / "keys")))
# Collected static files: under var/ by default; the container image keeps them in the image instead
# (they belong to the code's version, not to the data).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def _development_secret_key():
    """Generated once into var/ so a fresh clone runs without configuration; never committed."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _bootstrap_dir():
    import bootstrap_wrapper

    return str(bootstrap_wrapper.get_bootstrap_dir())


SECRET_KEY = env_str("SECRET_KEY") or _development_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public address, used in records' QR codes and verify links.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SCHOOL_NAME = env_str("GONGKAI_SCHOOL_NAME", "示范职业技术学院")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "csp",
    "axes",  # login throttling; before audit, so its failure count is known when audit records
    "viewflow",
    "viewflow.workflow",
    "gongkai",
    "audit",
    "policies",
    "workflow",
    "records",
    "portal",
    "reports",
    "foi",
    "operations",
    "imports",
]

MIDDLEWARE = [
    # Cached public pages for anonymous visitors, whole with the headers the stack below gave them:
    # a hit runs no SQL and no other middleware (a page is only kept after the whole stack made it).
    "portal.middleware.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SiteCSPMiddleware",  # sees every response made below (CONTENT_SECURITY_POLICY below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The language comes from its cookie or the browser (not the session): known before the session.
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.InputPolicyMiddleware",  # refuses NUL, controls, surrogates in any input (core.inputs)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",  # answers a locked-out login (any login form, the admin's too)
]

ROOT_URLCONF = "gongkai.urls"
WSGI_APPLICATION = "gongkai.wsgi.application"

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
                "gongkai.context_processors.site",
                "gongkai.context_processors.navigation",
            ],
        },
    },
]

# Covering indexes (Index(include=...)) serve PostgreSQL's index-only counts; SQLite keeps the
# index and ignores the extra columns, which is all it needs at its size.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# SQLite (WAL) under var/ by default; PostgreSQL when DATABASE_URL is set.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # A kept connection is checked before each request reuses it (conn_health_checks): a restarted
    # PostgreSQL costs one reconnect, not a failed request.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
                                                  conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://…); leave it unset for SQLite")
    # Page queries are short: compiling one (when its estimate passes jit_above_cost) costs more than
    # it saves; it made the office's inbox several times slower at 100,000 items.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "gongkai.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE: every transaction takes the write lock up front, so a read-then-write
                # (the audit chain head) cannot interleave with another writer.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            # A file (not :memory:) so a Celery worker process can open it; one per test run so
            # concurrent runs on one machine do not share it.
            "TEST": {"NAME": VAR_DIR / f"test-{os.getpid()}.sqlite3"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "policies.login.LoginThrottleBackend",  # first (django-axes): refuses a locked-out (username, address) pair
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login throttling (django-axes, policies/login.py): failed logins allowed per (username, client
# address) before a cool-down of LOGIN_FAILURE_WINDOW seconds, doubled while failures go on.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
# At most this many failed-login audit events per client address within the window.
LOGIN_AUDIT_FAILURES_PER_ADDRESS = env_int("LOGIN_AUDIT_FAILURES_PER_ADDRESS", 50)
# Proxies (addresses or networks) whose X-Forwarded-For is believed (core/client.py); empty: none.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
AXES_FAILURE_LIMIT = "policies.login.failure_limit"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "policies.login.cool_off"
AXES_CLIENT_IP_CALLABLE = "core.client.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit log
AXES_LOCKOUT_CALLABLE = "policies.login.lockout_response"
AXES_VERBOSE = False

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: the public site needs no permissions

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Bootstrap's compiled files come from a pinned PyPI package (bootstrap-wrapper) and are served as our
# own static files under static/vendor/bootstrap/ — never from a CDN.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/bootstrap", _bootstrap_dir())]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "gongkai.staticfiles.AppDirectoriesFinder",  # the apps' static files, without viewflow's own UI
]
MEDIA_ROOT = VAR_DIR / "media"  # uploads: outside the web root, served only through permission checks
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest item body, in UTF-8 bytes after sanitising (core.inputs): a body is text, not a file.
BODY_MAX_BYTES = env_int("BODY_MAX_BYTES", 1024 * 1024)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

# Signed PDF records (records/): stored outside the web root. Production signs with a PKCS#12 file;
# without one a development CA and signer are generated into KEYS_DIR/records/ on first use.
RECORDS_DIR = Path(env_str("RECORDS_DIR", str(VAR_DIR / "records")))
RECORDS_PKCS12_PATH = env_str("RECORDS_PKCS12_PATH")
RECORDS_PKCS12_PASSPHRASE = env_str("RECORDS_PKCS12_PASSPHRASE")
RECORDS_TRUST_ROOTS = env_list("RECORDS_TRUST_ROOTS", [])  # extra PEM files of trusted roots
RECORDS_TSA_URL = env_str("RECORDS_TSA_URL")  # RFC 3161 timestamp authority: PAdES B-T when set
# A record is a public document: its approval chain shows step, role, department, time and decision;
# reviewers' names and internal comments (过程性信息) only when the office turns this on.
RECORDS_SHOW_PROCESS_DETAILS = env_bool("RECORDS_SHOW_PROCESS_DETAILS", False)
RECORDS_VERIFY_MAX_BYTES = env_int("RECORDS_VERIFY_MAX_BYTES", 20 * 1024 * 1024)

# Without Redis, each process keeps the public pages in its own memory: room for LOCAL_CACHE_ENTRIES
# of them (a page and its body are two; Django's default, 300, holds some 150 pages, so that a crawl
# of the site would evict its column and category pages every few seconds). 1–7 KB each: some 40 MB full.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "OPTIONS": {"MAX_ENTRIES": env_int("LOCAL_CACHE_ENTRIES", 10000)}}}
REDIS_CACHE_URL = env_str("REDIS_CACHE_URL")
if REDIS_CACHE_URL:
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL,
                         "KEY_PREFIX": env_str("REDIS_CACHE_PREFIX")}  # for sites sharing one Redis

# The public site (portal/): pages are cached per site version (bumped on publish/withdraw).
PORTAL_CACHE_SECONDS = env_int("PORTAL_CACHE_SECONDS", 600)  # longest a cached public page is served as current
# How long a whole public page is kept to serve while its next version renders (portal.cache).
PORTAL_STALE_SECONDS = env_int("PORTAL_STALE_SECONDS", 86400)
PORTAL_VERSION_SECONDS = env_int("PORTAL_VERSION_SECONDS", 1)  # how often a process re-reads the version
# After a change, a worker renders the most visited public pages again this many seconds later (one
# job for a burst of changes; portal.cache.schedule_warm).
PORTAL_WARM_DELAY = env_int("PORTAL_WARM_DELAY", 2)
PORTAL_WARM_CHECK_SECONDS = env_int("PORTAL_WARM_CHECK_SECONDS", 60)  # how often beat checks they are warm
PORTAL_PAGE_SIZE = env_int("PORTAL_PAGE_SIZE", 20)
PORTAL_FEED_SIZE = env_int("PORTAL_FEED_SIZE", 50)

# Celery: a real broker when CELERY_BROKER_URL is set, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")  # where workers listen by default
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker, long jobs (an audit export, an import) run in a child process, not in the request
# that asked for them (core.jobs).
JOBS_IN_CHILD_PROCESS = env_bool("JOBS_IN_CHILD_PROCESS", True)
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the task for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# At least once: a task runs at most CELERY_TASK_TIME_LIMIT seconds (soft limit first, so it can
# clean up), and Redis hands an unacknowledged task to another worker only after the visibility
# timeout, which must therefore be longer than the longest task. A worker killed outright leaves its
# task in Redis until then; the reconciler (every RECONCILE_SECONDS) finishes the work long before.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
# The auditor's export bundle is the one long job (about 30 s per million events here).
AUDIT_EXPORT_TIME_LIMIT = env_int("AUDIT_EXPORT_TIME_LIMIT", 1800)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= max(CELERY_TASK_TIME_LIMIT, AUDIT_EXPORT_TIME_LIMIT):
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT and AUDIT_EXPORT_TIME_LIMIT")
# A down broker must not hold the office's request for long: the state already says what is owed
# and the reconciler sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {}  # apps add their periodic jobs in their AppConfig.ready()

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A server that does not answer must not hold a request: the mail stays owed (workflow.outbox).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gongkai@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    # No ?format= override: a response's type follows the Accept header alone (and the schema
    # documents no such parameter).
    "URL_FORMAT_OVERRIDE": None,
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongkai API",
    "DESCRIPTION": "高校信息公开 — disclosure workflow, audit log and records",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "RefusalGroundEnum": "workflow.models.RefusalGround",
        "ApplicantKindEnum": "foi.models.InformationRequest.ApplicantKind",
        "ComplaintKindEnum": "foi.models.Complaint.Kind",
    },
    # Error answers and their bodies on every operation (core/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.schema.add_error_responses",
                             "core.schema.closed_request_bodies"],
}

# Content-Security-Policy on every page (django-csp): scripts, styles, images and fonts from this
# site only — no inline script or style, no other origin (item bodies cannot hotlink images either).
# A response that sets its own policy (attachments: "sandbox") keeps it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
