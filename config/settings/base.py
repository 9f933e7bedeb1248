"""Base settings: the embedded default (SQLite, eager Celery) and everything the other modes share.

Every value that differs between deployments is read from the environment; see the
configuration table in README.md.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from config.env import BASE_DIR, DATA_DIR, env, local_secret

DATA_DIR.mkdir(parents=True, exist_ok=True)

# --- Core -----------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# Embedded mode generates a development key once and keeps it under the data folder;
# production settings refuse to start without SECRET_KEY in the environment.
SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret("django_secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "auditlog",
    "common",
    "accounts",
    "vault",
    "audit",
    "screening",
    "kyc",
    "monitoring",
]

MIDDLEWARE = [
    "common.middleware.CorrelationIdMiddleware",
    "common.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sessions reach the admin and the API only after their second factor (TOTP) is verified.
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'tillit.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a Celery task or import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://tillit")}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "/admin/login/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "common.errors.csrf_failure"

# Oversize payloads are refused before they reach a view (413 in the API envelope).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(DATA_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # API clients first: its authenticate_header makes anonymous calls answer 401, not 403.
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="6000/min"),
    },
    "EXCEPTION_HANDLER": "common.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tillit API",
    "DESCRIPTION": "KYC/KYB onboarding and sanctions/PEP screening. Errors always use the envelope "
    '`{"error": {"code", "message", "fields"}}`.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: the docs work offline and without a third-party CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------------------
# No broker configured = embedded mode: tasks run eagerly in the calling process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or CELERY_BROKER_URL
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_ACCEPT_CONTENT = ["json"]
# A task is acknowledged after it finishes, and re-queued if its worker dies; tasks are idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
# Must exceed the hard time limit, or Redis redelivers a task that is still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
CELERY_TASK_TRACK_STARTED = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Beat only enqueues; the tasks decide what is due (each source's own sync interval, each risk level's
# rescreening interval), so a missed or doubled tick is harmless.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "sessions-clear-expired": {"task": "common.clear_expired_sessions", "schedule": crontab(minute=17, hour=3)},
    "watchlists-sync-due": {"task": "screening.watchlists.sync_due", "schedule": crontab(minute="*/15")},
    "audit-checkpoint": {"task": "audit.checkpoint_create", "schedule": crontab(minute="*/15")},
    "audit-verify": {"task": "audit.verify", "schedule": crontab(minute=41, hour=2)},
    "kyc-webhooks-resend-due": {"task": "kyc.webhooks_resend_due", "schedule": 60.0},
    "kyc-cases-resume-stalled": {"task": "kyc.cases_resume_stalled", "schedule": crontab(minute="*/5")},
    "kyc-idempotency-prune": {"task": "kyc.idempotency_prune", "schedule": crontab(minute=23)},
    "monitoring-full-rescreen": {"task": "monitoring.schedule_full_rescreens", "schedule": crontab(minute=40, hour=2)},
    "monitoring-resume-stalled": {"task": "monitoring.resume_stalled", "schedule": timedelta(minutes=5)},
    "monitoring-drift-check": {"task": "monitoring.drift_check", "schedule": crontab(minute=55, hour=3)},
}

# --- Logging --------------------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="console")  # "json" in production
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {"()": "common.logging.build_formatter", "fmt": LOG_FORMAT},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
    },
}

# --- Tillit ---------------------------------------------------------------------------------------
TILLIT_DATA_DIR = DATA_DIR
# Bearer token a Prometheus scraper presents at /metrics (staff sessions may read it too). Unset: staff only.
TILLIT_METRICS_TOKEN = env.str("TILLIT_METRICS_TOKEN", default="")
# --- Accounts: second factor and step-up ------------------------------------------------------------
TILLIT_MFA_MAX_FAILURES = env.int("TILLIT_MFA_MAX_FAILURES", default=10)  # per hour, then locked
TILLIT_MFA_LOCKOUT = timedelta(minutes=env.int("TILLIT_MFA_LOCKOUT_MINUTES", default=60))
TILLIT_MFA_ENROLMENT_TTL = timedelta(minutes=15)
TILLIT_STEP_UP_TTL = timedelta(minutes=env.int("TILLIT_STEP_UP_MINUTES", default=5))
# --- Vault: key-encryption keys and token keys (never in the database) -------------------------------
TILLIT_VAULT_KEY_FILE = env.str("TILLIT_VAULT_KEY_FILE", default=str(DATA_DIR / "keys" / "vault-keys.json"))
TILLIT_VAULT_KEYS = env.str("TILLIT_VAULT_KEYS", default="")
TILLIT_VAULT_GENERATE_KEYS = env.bool("TILLIT_VAULT_GENERATE_KEYS", default=True)  # embedded mode only
TILLIT_VAULT_KEY_PROVIDER = env.str("TILLIT_VAULT_KEY_PROVIDER", default="vault.keyring.local_provider")
TILLIT_VAULT_TRANSIT_ADDR = env.str("TILLIT_VAULT_TRANSIT_ADDR", default="")
TILLIT_VAULT_TRANSIT_TOKEN = env.str("TILLIT_VAULT_TRANSIT_TOKEN", default="")
TILLIT_VAULT_TRANSIT_MOUNT = env.str("TILLIT_VAULT_TRANSIT_MOUNT", default="transit")
TILLIT_VAULT_REVEAL_RATE = env.str("TILLIT_VAULT_REVEAL_RATE", default="20/h")
TILLIT_VAULT_ROTATION_TASK_SECONDS = env.int("TILLIT_VAULT_ROTATION_TASK_SECONDS", default=120)
# --- Audit: Ed25519 key signing the transparency-log checkpoints -------------------------------------------
TILLIT_AUDIT_SIGNING_KEY_FILE = env.str(
    "TILLIT_AUDIT_SIGNING_KEY_FILE", default=str(DATA_DIR / "keys" / "audit_ed25519.pem")
)
TILLIT_AUDIT_SIGNING_KEY = env.str("TILLIT_AUDIT_SIGNING_KEY", default="")  # base64 seed, instead of the file
TILLIT_AUDIT_GENERATE_SIGNING_KEY = env.bool("TILLIT_AUDIT_GENERATE_SIGNING_KEY", default=True)  # embedded mode
TILLIT_AUDIT_TRUSTED_PUBLIC_KEYS = env.list("TILLIT_AUDIT_TRUSTED_PUBLIC_KEYS", default=[])  # retired keys, base64
TILLIT_AUDIT_LOG_ORIGIN = env.str(
    "TILLIT_AUDIT_LOG_ORIGIN", default="tillit.audit.log/v1"
)  # names the log in checkpoints
# Revealing a tokenised identifier: who may (policy), and the fresh second factor it needs (step-up).
TILLIT_VAULT_REVEAL_POLICY = "accounts.policy.can"
TILLIT_VAULT_STEP_UP_CHECK = "accounts.stepup.has_step_up"
TILLIT_VAULT_ADMIN_STEP_UP = "accounts.stepup.admin_step_up"

# Notifications to account holders (MFA replay, lockout, factor changed).
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tillit@localhost")
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))

# Official list downloads (sync_watchlists): an offline mirror laid out like ../shared/watchlists, timeouts.
TILLIT_WATCHLIST_DIR = env.str("TILLIT_WATCHLIST_DIR", default="")
TILLIT_WATCHLIST_TIMEOUT = env.float("TILLIT_WATCHLIST_TIMEOUT", default=60)
TILLIT_WATCHLIST_RETRIES = env.int("TILLIT_WATCHLIST_RETRIES", default=3)
TILLIT_WATCHLIST_OFFLINE = env.bool("TILLIT_WATCHLIST_OFFLINE", default=False)
TILLIT_WATCHLIST_URLS = env.json("TILLIT_WATCHLIST_URLS", default={})  # {source code: url} overrides
# --- Screening ------------------------------------------------------------------------------------------
TILLIT_SCREENING_INDEX_DIR = env.str("TILLIT_SCREENING_INDEX_DIR", default=str(DATA_DIR / "screening-index"))
TILLIT_SCREENING_VERSION_CHECK_SECONDS = env.float("TILLIT_SCREENING_VERSION_CHECK_SECONDS", default=1.0)
# {default, by_source, by_schema, by_source_schema: {"src/Schema": v}}; empty = the engine's calibrated defaults
TILLIT_SCREENING_THRESHOLDS = env.json("TILLIT_SCREENING_THRESHOLDS", default={})
# Matching releases (screening.services.releases): shadow comparisons needed before a promotion
# without a forced reason, and the share of live screenings compared under releases in shadow.
TILLIT_RELEASE_MIN_SHADOW_SCREENINGS = env.int("TILLIT_RELEASE_MIN_SHADOW_SCREENINGS", default=200)
TILLIT_RELEASE_SHADOW_SAMPLE = env.float("TILLIT_RELEASE_SHADOW_SAMPLE", default=1.0)
# Drift and bias checks (monitoring.drift): bounds and windows, e.g. {"psi": 0.25, "min_sample": 50}.
TILLIT_DRIFT = env.json("TILLIT_DRIFT", default={})
TILLIT_SCREENING_BATCH_CHUNK = env.int("TILLIT_SCREENING_BATCH_CHUNK", default=200)
# --- Ongoing monitoring --------------------------------------------------------------------------------
TILLIT_MONITORING_ENABLED = env.bool("TILLIT_MONITORING_ENABLED", default=True)
# Days between full rescreens per risk level.
TILLIT_MONITORING_INTERVALS = env.json(
    "TILLIT_MONITORING_INTERVALS", default={"prohibited": 30, "high": 30, "medium": 180, "low": 365, "unrated": 30}
)
TILLIT_MONITORING_DELTA_CHUNK_SIZE = env.int("TILLIT_MONITORING_DELTA_CHUNK_SIZE", default=100)
TILLIT_MONITORING_FULL_CHUNK_SIZE = env.int("TILLIT_MONITORING_FULL_CHUNK_SIZE", default=1000)
TILLIT_MONITORING_CHUNK_RETRIES = env.int("TILLIT_MONITORING_CHUNK_RETRIES", default=4)

# --- KYC --------------------------------------------------------------------------------------------
TILLIT_KYC_REVIEW_SLA = timedelta(hours=env.int("TILLIT_KYC_REVIEW_SLA_HOURS", default=48))
TILLIT_KYC_AUTO_REJECT_SANCTIONS = env.bool("TILLIT_KYC_AUTO_REJECT_SANCTIONS", default=False)
TILLIT_KYC_AUTO_REJECT_SCORE = env.float("TILLIT_KYC_AUTO_REJECT_SCORE", default=0.97)
TILLIT_KYC_WEBHOOK_MAX_ATTEMPTS = env.int("TILLIT_KYC_WEBHOOK_MAX_ATTEMPTS", default=8)
TILLIT_KYC_WEBHOOK_ALLOW_HTTP = env.bool("TILLIT_KYC_WEBHOOK_ALLOW_HTTP", default=False)
TILLIT_KYC_IDEMPOTENCY_TTL = timedelta(hours=env.int("TILLIT_KYC_IDEMPOTENCY_TTL_HOURS", default=24))

TILLIT_API_KEY_MAX_ACTIVE = 2  # two keys live at once during a rotation
TILLIT_API_KEY_LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one last-use write a minute
