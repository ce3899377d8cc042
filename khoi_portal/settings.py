"""Settings for the Khối portal, read from the environment (django-environ).

Every variable is documented in `.env.example`. Debug is off unless DJANGO_DEBUG says otherwise; with debug
off, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS are required and the secure-cookie / HSTS settings apply.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or "dev-only-insecure-key-not-for-production"
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
    )
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")  # required: no default in production
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "Set the DJANGO_SECRET_KEY environment variable (required when DJANGO_DEBUG=False)."
        )
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"  # Vietnamese page, link back to the form

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "import_export",
    "simple_history",
    "axes",
    "django_htmx",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "core",
    "khoi_portal",
    "organizations",
    "members",
    "discipline",
    "reports",
    "targets",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "khoi_portal.security.QueryStringGuardMiddleware",
    "khoi_portal.security.OptionsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.datacache.ReadOnlyRequestVersion",
    "khoi_portal.security.NoStoreMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "organizations.access.CellSecretaryGate",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "khoi_portal.urls"
WSGI_APPLICATION = "khoi_portal.wsgi.application"

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
                "khoi_portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
# A persistent connection is checked before each request reuses it: after a database restart the first request
# of every worker would otherwise fail on the dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout so several processes (gunicorn workers, a management command) write side by side.
    # Write transactions start IMMEDIATE: they take the write lock at BEGIN, where the busy timeout waits for
    # it. A deferred transaction that has read and then writes cannot wait (SQLite refuses at once: "database
    # is locked"), which is what concurrent submissions, acceptances and ratings hit.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the portal's queries are short, but from a province's size up their estimated cost
    # passes PostgreSQL's jit_above_cost and compiling takes longer than running them (seen: ~500 ms of JIT for
    # a 9 ms query at 760 organisations).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

#: The cache (core/datacache.py): how long a cached value or page body may stay (it is never stale: it is served
#: only while the tables it read are unchanged), the apps whose tables are watched, and tables whose rows change no
#: figure (a report's draft history, reminders sent, attachments).
PORTAL_CACHE_SECONDS = env.int("PORTAL_CACHE_SECONDS", default=15 * 60)
#: How long a request waits for another computing the same cold value (core/datacache.py, single flight).
PORTAL_SINGLE_FLIGHT_WAIT = env.float("PORTAL_SINGLE_FLIGHT_WAIT", default=10.0)
#: PostgreSQL: the data's version is read by a statement prepared once per connection (planned once: 0,5 ms
#: instead of 5 ms on every cached page). Off behind a pooler that hands a session's statements to another
#: server connection (PgBouncer in transaction mode): there a prepared statement may not exist.
PORTAL_PREPARE_VERSION_QUERY = env.bool("PORTAL_PREPARE_VERSION_QUERY", default=True)
PORTAL_DATA_APPS = ("organizations", "members", "discipline", "reports", "targets")
PORTAL_DATA_IGNORED_TABLES = (
    "reports_reminderlog",
    "reports_reportattachment",
    "reports_historicalperiodicreport",
)
#: What a cached value read is known by the tables its queries name (core/datacache.py): a table's inserts raise
#: its highest id and its in-place changes its history table's. The tables below change in place without a
#: history of their own; each names the tables a write always touches when it changes them (their witnesses).
PORTAL_DATA_WITNESSES = {
    # A report's drafts change no figure (their history is ignored above); submitting, returning and accepting
    # write a transition, and a submission a version. Its study lines are saved with it.
    "reports_periodicreport": ("reports_reporttransition", "reports_reportversion"),
    "reports_studyline": ("reports_reporttransition", "reports_reportversion"),
    # The maintained punctuality rows (reports/tallies.py) change with a submission, a new period or a spell.
    "reports_reporttally": (
        "reports_reporttransition",
        "reports_reportingperiod",
        "organizations_blocmembership",
    ),
    # A period's due date moves only with its kind's schedule (reports/periods.py).
    "reports_reportingperiod": ("reports_reportingschedule",),
}
#: Tables whose rows are written once and never changed (or changed only where no page shows it): they need no
#: witness. ``core/tests/test_datacache.py`` fails on a data table that is in neither list and keeps no history.
PORTAL_DATA_APPEND_ONLY = (
    "members_memberevent",
    "organizations_closedyear",
    "organizations_closedyearchange",
    "organizations_documenttemplate",
    "organizations_outgoingdocument",
    "reports_reporttransition",
    "reports_reportversion",
    "targets_yearsnapshot",
)


# Optional shared cache (Redis) for several app servers; in-process memory otherwise. The cache only speeds pages
# up: with Redis down or gone mid-request every cache call fails fast (short socket timeouts), is ignored, and
# the page is computed without it; a warning is logged at most once a minute (core/logfilters.py), and the next
# call after Redis is back uses it again.
def cache_config(url: str) -> dict:
    """The cache for `url` (``CACHE_URL``); a Redis one never fails a page (the fault suite uses this too)."""
    if url.startswith("unix://"):  # a Unix socket: django-redis takes the URL as it is
        config = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url}
    else:
        config = env.cache_url_config(url or "locmemcache://khoi")
    if "LocMemCache" in config["BACKEND"]:
        # Values are kept until what they read changes, and an indicator's rows are stored in chunks (a few
        # hundred per dashboard at a province's size): the default 300 entries would drop them while in use.
        config.setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50_000)
    if "RedisCache" in config["BACKEND"]:
        config["BACKEND"] = "django_redis.cache.RedisCache"
        config.setdefault("OPTIONS", {}).update(
            {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
        )
    return config


CACHES = {"default": cache_config(env("CACHE_URL", default=""))}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "khoi.cache"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Vietnamese first -------------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"

# HD 21-HD/BTCTW 2019 §2.3: members rated HTXSNV ≤ 20% of those rated HTTNV in each TCCSĐ ("httnv"). A province
# whose guidance counts the base as HTTNV-or-better sets "good" (docs/party-rules.md).
PARTY_EXCELLENT_CAP_BASE = env("PARTY_EXCELLENT_CAP_BASE", default="httnv")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# Django's own `vi` formats read 05/03/2021 month-first and print numbers ungrouped; ours fix both.
FORMAT_MODULE_PATH = ["khoi_portal.formats"]
LOCALE_PATHS = [BASE_DIR / "khoi_portal" / "locale"]

# --- Static and uploaded files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are private: never served from a public URL, only through views that check the user's scope.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default="") or BASE_DIR / "private_media")
MEDIA_URL = ""  # deliberately no public URL for uploads
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Per report: at most this many attachments shown, and this many bytes stored in all (removed files included:
# they are kept on disk as the record of what was attached, so removing and uploading again cannot fill it).
ATTACHMENTS_MAX_COUNT = env.int("PORTAL_ATTACHMENTS_MAX_COUNT", default=10)
ATTACHMENTS_MAX_BYTES = env.int("PORTAL_ATTACHMENTS_MAX_BYTES", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Email ------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / "sent_emails"))  # file-based backend
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Đảng ủy Khối <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Sessions and accounts --------------------------------------------------------------------------------
SESSION_ENGINE = env("DJANGO_SESSION_ENGINE", default="django.contrib.sessions.backends.db")
# Sessions live in the database (or in the cache backed by the database): a cache that restarts or fails must
# not log everyone out, and a logout must end the session on every app server.
SESSION_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")
if SESSION_ENGINE not in SESSION_ENGINES:
    raise ImproperlyConfigured(f"DJANGO_SESSION_ENGINE must be one of {', '.join(SESSION_ENGINES)}.")
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_SAVE_EVERY_REQUEST = (
    True  # idle timeout: an open page that keeps talking to the server stays logged in
)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page's meta tag, not the cookie; kept default

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# A lockout is for a user name *from* an address: failures with made-up names lock no one else, and behind a
# proxy (where every user shares the proxy's address) one person's mistakes lock only themselves.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lockout does not restart the cool-off (the page says until when it lasts).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "khoi_portal.security.lockout_response"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address, read by django-ipware with django-axes' ipware settings. Behind proxies it is the hop of
# X-Forwarded-For just before the trusted ones: PORTAL_TRUSTED_PROXIES lists one entry per proxy (an address, a
# network or a prefix), from the outermost to the one that connects to the portal (127.0.0.1 for nginx on the
# same host). security.client_ip completes the header with the connecting address first, so the last proxy is
# checked against the socket's address: a client talking to the portal directly is judged by its own address,
# whatever header it writes. Without trusted proxies the header is not read at all (it could be forged).
PORTAL_TRUSTED_PROXIES = [p.strip() for p in env.list("PORTAL_TRUSTED_PROXIES", default=[]) if p.strip()]
AXES_IPWARE_PROXY_TRUSTED_IPS = PORTAL_TRUSTED_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PORTAL_TRUSTED_PROXIES else ("REMOTE_ADDR",)
)
# X-Forwarded-For as every proxy writes it: the client first, each proxy appending the address it heard from.
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = None  # the trusted list already fixes the client's place: just before the proxies
# Not strict: whatever the client wrote into the header itself (left of what the proxies appended) does not void
# the chain; strict would judge such a client (a corporate proxy adds the header too) by the proxy's address.
IPWARE_STRICT = False
# django-ipware alone cannot anchor the chain to the connecting address, nor fall back to it (it answers None
# for a request not through the proxies): client_ip does both around it.
AXES_CLIENT_IP_CALLABLE = "khoi_portal.security.client_ip"
AXES_VERBOSE = False

# --- Security headers (django-csp 4 format) ---------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Only a load test on plain-HTTP loopback turns these off (check --deploy then warns, as it should).
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Third-party apps -------------------------------------------------------------------------------------
FORM_RENDERER = "core.forms.FastFormRenderer"  # plain inputs without the template engine
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- The Bloc (printed on official documents) -------------------------------------------------------------
PORTAL_PROVINCE = env("PORTAL_PROVINCE", default="Quảng Trị")
PORTAL_BLOC_NAME = env("PORTAL_BLOC_NAME", default="Đảng ủy Khối Các cơ quan và Doanh nghiệp tỉnh")
PORTAL_PLACE = env("PORTAL_PLACE", default="Đông Hà")
#: The portal's address as users reach it (https://…), for links in e-mails; empty: the mails give the path.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="")
#: The first year the portal serves (reporting periods, dashboards); the last is next year.
PORTAL_FIRST_YEAR = env.int("PORTAL_FIRST_YEAR", default=2015)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "routine_refusals": {"()": "core.logfilters.RoutineRefusals"},
        "cache_outage": {"()": "core.logfilters.CacheOutage"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["routine_refusals"]}
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
        "khoi": {"handlers": ["console"], "level": "INFO"},
        "khoi.cache": {"filters": ["cache_outage"], "level": "WARNING"},
        "axes": {"handlers": ["console"], "level": "WARNING"},
        "khoi.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
