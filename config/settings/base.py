"""Settings shared by every environment; every value can come from the environment.

The defaults make `make demo` work on a laptop: SQLite in WAL mode under ``var/``, the
database-backed task queue, a database cache, email printed to the console.
"""

import datetime as dt
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("RAPPORT_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

INSECURE_SECRET_KEY = "insecure-demo-key-change-me"
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "rapport.framework",
    "rapport.identity",
    "rapport.core",
    "rapport.search",
    "rapport.dedupe",
    "rapport.exports",
    "rapport.imports",
    "rapport.merges",
    "rapport.currencies",
    "rapport.accounts",
    "rapport.contacts",
    "rapport.leads",
    "rapport.opportunities",
    "rapport.catalog",
    "rapport.quotes",
    "rapport.orders",
    "rapport.predictions",
    "rapport.forecasts",
    "rapport.scoring",
    "rapport.assignment",
    "rapport.activities",
    "rapport.workspace",
    "rapport.privacy",
    "rapport.webforms",
    "rapport.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rapport.framework.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "rapport.framework.middleware.ApiProblemMiddleware",
    # Last, as django-axes requires: turns a lock-out into the sign-in page's message.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "rapport.framework.ui.context_processors.shell",
                "rapport.workspace.context_processors.attention",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'rapport.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            # WAL lets readers and the one writer work at the same time; IMMEDIATE avoids
            # "database is locked" upgrades from read to write locks under concurrency.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
# Persistent connections: opening one (and, on SQLite, running its PRAGMAs) on every request
# costs more than a simple query.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=600))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (shared between processes: never a web process's memory) --------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Files are shared by every process on the machine and avoid write locks on SQLite.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# API rate-limit counters: in Redis when there is one, else in a SQLite file of their own.
RAPPORT_RATE_COUNTERS = env.str("RAPPORT_RATE_COUNTERS", default="cache" if REDIS_URL else "sqlite")
RAPPORT_COUNTERS_PATH = env.str("RAPPORT_COUNTERS_PATH", default=str(VAR_DIR / "counters.sqlite3"))

# --- auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses every attempt for a locked-out username and address before a password check.
    "axes.backends.AxesStandaloneBackend",
    # Username or email address (case-insensitive), active users only.
    "rapport.identity.backends.UsernameOrEmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
# Sessions: SESSION_COOKIE_AGE is how long a sign-in lasts (12 hours by default), counted from
# sign-in. With SESSION_SAVE_EVERY_REQUEST every request pushes the expiry out again, which makes
# the same number an idle timeout instead (at the cost of a session write per request).
# SESSION_EXPIRE_AT_BROWSER_CLOSE gives a cookie without expiry date: closing the browser signs
# out (the server still ends the session after SESSION_COOKIE_AGE).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_SAVE_EVERY_REQUEST = env.bool("SESSION_SAVE_EVERY_REQUEST", default=False)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
SESSION_COOKIE_HTTPONLY = True

# Lock-out after repeated failed sign-ins (django-axes): AXES_FAILURE_LIMIT wrong passwords or
# authentication codes for one account from one address lock that pair for AXES_COOLOFF_MINUTES.
# Counting by account and address together keeps an attacker from locking a colleague out from
# elsewhere; counts are in the database, so every web process sees them.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# An email address and the username it belongs to count as one account.
AXES_USERNAME_CALLABLE = "rapport.identity.backends.axes_username"
# The address behind NUM_PROXIES proxies, as for the API's per-address limits.
AXES_CLIENT_IP_CALLABLE = "rapport.identity.backends.client_ip_address"
# The lock-out message is shown on the sign-in page (status 429), not as a bare error page.
AXES_LOCKOUT_CALLABLE = "rapport.identity.auth_views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# --- i18n ------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- static files (front-end packages come from npm into node_modules) -----------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static" / "src"]
if (BASE_DIR / "node_modules").exists():
    STATICFILES_DIRS.append(("vendor", BASE_DIR / "node_modules"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- email -----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="rapport@localhost")

# --- background tasks --------------------------------------------------------------------------
# One Tasks API, two engines: the database queue (worker: `rapport worker`, no extra service) and,
# at scale, RQ on Redis. `rapport worker` starts whichever worker matches TASK_BACKEND.
TASK_BACKEND = env.str("TASK_BACKEND", default="redis" if REDIS_URL else "database")
if TASK_BACKEND not in ("database", "redis"):
    raise ValueError(f"TASK_BACKEND must be 'database' or 'redis', not {TASK_BACKEND!r}")
TASKS = {
    "default": (
        {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        if TASK_BACKEND == "redis"
        else {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    ),
}
# django_rq is always installed so that migrations and checks do not depend on the backend; its
# admin dashboard is only shown when Redis is actually in use.
INSTALLED_APPS += ["django_rq"]
RQ_SHOW_ADMIN_LINK = TASK_BACKEND == "redis"
RQ_QUEUES = {
    "default": {
        "URL": REDIS_URL or "redis://127.0.0.1:6379/0",
        # A job that runs longer than this is killed by the worker; long jobs split their work.
        "DEFAULT_TIMEOUT": env.int("RQ_DEFAULT_TIMEOUT", default=30 * 60),
    },
}
# Finished task results (database queue) and scheduler bookkeeping are pruned after this many days.
RAPPORT_TASK_RESULT_RETENTION_DAYS = env.int("RAPPORT_TASK_RESULT_RETENTION_DAYS", default=14)

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rapport.identity.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rapport.framework.api.permissions.RecordApiPermission"],
    # Every endpoint reads JSON through the size-limited parser (DRF's own reads the body without
    # DATA_UPLOAD_MAX_MEMORY_SIZE); uploads (imports) come as multipart, which Django limits.
    "DEFAULT_PARSER_CLASSES": [
        "rapport.framework.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rapport.framework.api.pagination.RecordCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rapport.framework.api.filters.CustomFieldFilterBackend",
        "rapport.framework.api.filters.QualityFilterBackend",
        "rapport.framework.api.filters.RecordSearchFilter",
        "rapport.framework.api.filters.RecordOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rapport.framework.api.problems.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rapport.framework.api.throttling.TokenRateThrottle",
        "rapport.framework.api.throttling.IpRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("THROTTLE_TOKEN_RATE", default="6000/min"),
        "ip": env.str("THROTTLE_IP_RATE", default="12000/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Proxies in front of the application: X-Forwarded-For is trusted for that many hops only
    # (per-address limits would otherwise count the proxy, or trust a forged header).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rapport API",
    "DESCRIPTION": "REST API of Rapport, the open-source CRM.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the npm package installed by `make`, not from a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui-dist",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui-dist/favicon-32x32.png",
    # One name for each choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "CountryEnum": "django_countries.countries",
        "AccessLevelEnum": "rapport.identity.choices.ShareLevel",
        "QuoteStatusEnum": "rapport.quotes.choices.QuoteStatus",
        "OrderStatusEnum": "rapport.orders.choices.OrderStatus",
    },
}
# No inline scripts or styles anywhere: every script is a file from 'self' (htmx, Chart.js,
# SortableJS, the app's own); data for scripts travels in JSON data blocks.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

# --- Rapport -----------------------------------------------------------------------------------
RAPPORT_BASE_CURRENCY = env.str("RAPPORT_BASE_CURRENCY", default="USD")
RAPPORT_DEFAULT_REGION = env.str("RAPPORT_DEFAULT_REGION", default="US")
RAPPORT_BULK_MAX = 1000
# Exports of up to this many rows stream at once; larger ones run as background jobs.
RAPPORT_EXPORT_SYNC_MAX = env.int("RAPPORT_EXPORT_SYNC_MAX", default=10_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Web forms: submissions per client address and form (a minute, a day), body size, spam checks.
RAPPORT_WEBFORM_RATE_PER_MINUTE = env.int("RAPPORT_WEBFORM_RATE_PER_MINUTE", default=5)
RAPPORT_WEBFORM_RATE_PER_DAY = env.int("RAPPORT_WEBFORM_RATE_PER_DAY", default=50)
RAPPORT_WEBFORM_MAX_BYTES = env.int("RAPPORT_WEBFORM_MAX_BYTES", default=64 * 1024)
# Lead scoring: the learned score is trained only with this many qualified and disqualified leads.
RAPPORT_LEAD_SCORING_MIN_EXAMPLES = env.int("RAPPORT_LEAD_SCORING_MIN_EXAMPLES", default=30)
# A running import whose worker gave no sign of life for this long is marked failed (undoable).
RAPPORT_IMPORT_STALL_MINUTES = env.int("RAPPORT_IMPORT_STALL_MINUTES", default=15)

# Quote documents: the branding of the PDF, the public address in the links sent to customers,
# and how long a quote's accept/decline link works at most (it also ends with the quote's
# validity).
RAPPORT_COMPANY_NAME = env.str("RAPPORT_COMPANY_NAME", default="Rapport")
RAPPORT_COMPANY_ADDRESS = env.str("RAPPORT_COMPANY_ADDRESS", default="")
RAPPORT_BRAND_COLOUR = env.str("RAPPORT_BRAND_COLOUR", default="#1d4ed8")
RAPPORT_LOGO_PATH = env.str("RAPPORT_LOGO_PATH", default="")
RAPPORT_SITE_URL = env.str("RAPPORT_SITE_URL", default="http://localhost:8000")
RAPPORT_QUOTE_LINK_MAX_AGE_DAYS = env.int("RAPPORT_QUOTE_LINK_MAX_AGE_DAYS", default=30)
# A quote with a line or overall discount above this percentage needs a manager's approval
# before it can be sent.
RAPPORT_QUOTE_APPROVAL_DISCOUNT_PERCENT = env.str(
    "RAPPORT_QUOTE_APPROVAL_DISCOUNT_PERCENT", default="20"
)
# Win-probability model: trained only with this many closed opportunities (and 30 won, 30 lost).
RAPPORT_WIN_MODEL_MIN_CLOSED = env.int("RAPPORT_WIN_MODEL_MIN_CLOSED", default=200)
