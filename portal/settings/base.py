"""Core settings: apps, middleware, database, languages."""

from pathlib import Path

import dj_database_url

from .env import env_bool, env_int, env_list, env_str
from .keys import DEVELOPMENT_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PORTAL_DIR = BASE_DIR / "portal"

# The insecure default only ever serves a developer's machine (DEBUG=1): with DEBUG off the
# web process refuses to start on it, or without it (portal/settings/keys.py).
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Demo logins and demo data exist only when this is on (`make demo` turns it on).
CUNBAN_DEMO = env_bool("CUNBAN_DEMO", False)

INSTALLED_APPS = [
    # Cunban
    "portal.web",
    "portal.places",
    "portal.offices",
    "portal.people",
    "portal.workdays",
    "portal.outbox",
    "portal.throttle",
    "services_catalog",
    "services_catalog.search",
    "services_catalog.catalogue_io",
    "approvals",
    "certificates",
    "ratings",
    "ledger",
    "online",
    "cms",
    "portal.audit",
    "portal.backup",
    "api",
    # Wagtail
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Third party
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "storages",
    "django_tasks",
    "django_tasks_db",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CSP on every page, no-store on private ones (portal/settings/headers.py).
    "portal.web.csp.CunbanCSPMiddleware",
    "portal.web.cache_headers.PrivateCacheControlMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, renewing the idle expiry at most once a minute (portal/people/sessions.py).
    "portal.people.sessions.RenewingSessionMiddleware",
    "portal.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Too many files in one POST: a message, not a bare 400 (portal/files/upload_limits.py).
    "portal.files.upload_limits.TooManyFilesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Each request reads its user's office permissions once (portal/people/request_memo.py).
    "portal.people.request_memo.JurisdictionMemoMiddleware",
    # Absolute session lifetime and the password-expiry profile (portal/people/sessions.py).
    "portal.people.sessions.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Who and from where, for the audit log's entries (portal/audit).
    "portal.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last of the request checks: it turns a lockout into its page.
    "axes.middleware.AxesMiddleware",
    "portal.web.page_cache.PublicPageCacheMiddleware",
    # Public read-only pages read from the replica, when there is one (portal/dbrouting.py).
    "portal.dbrouting.ReplicaReadMiddleware",
]

# GET/HEAD requests under these paths may read from DATABASE_REPLICA_URL (portal/dbrouting.py):
# the service guide, its search, the public promise lists and the certificate check.
REPLICA_READ_PATH_PREFIXES = ["/guide/", "/search/", "/promises/", "/verify/"]

# Anonymous GETs under these paths are cached whole (portal/web/page_cache.py).
PUBLIC_PAGE_CACHE_PREFIXES = ["/guide/"]
# … and at exactly these paths (the home page: "/" as a prefix would be every page).
PUBLIC_PAGE_CACHE_PATHS = ["/"]
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60)
# Audit entries younger than this are never deleted; prune_audit_log refuses less than 184.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 184)
# 网办: how long the assistant's link to the villager's phone stays open (online.services).
CUNBAN_REMOTE_LINK_HOURS = env_int("CUNBAN_REMOTE_LINK_HOURS", 48)

# A shared cache (redis://…) makes invalidation immediate across web processes; without one,
# each process keeps its own and public pages may lag a change by PUBLIC_PAGE_CACHE_SECONDS.
_cache_url = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url.startswith(("redis://", "rediss://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cunban"}
    )
}

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PORTAL_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.web.context_processors.display_preferences",
                # Staff pages warn when SITE_BASE_URL is not where they are served from.
                "portal.web.base_url.base_url_warning",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# SQLite (the demo, a one-machine trial) is tuned so that concurrent writers wait their turn
# instead of failing: runserver answers requests in threads and the task worker writes from a
# second process. With SQLite's defaults a transaction that read before writing cannot take the
# write lock while another holds it, and SQLite answers "database is locked" at once without
# waiting (an HTTP 500). So: WAL, where readers and the one writer never block each other;
# BEGIN IMMEDIATE, so every transaction takes the write lock when it starts and waits for it
# there; and a busy timeout longer than the longest write (a catalogue import's). PostgreSQL
# settings are left as dj_database_url parses them.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,  # seconds a writer waits for the lock before "database is locked"
    "init_command": "PRAGMA journal_mode=WAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **SQLITE_OPTIONS}
# A streaming replica (PostgreSQL hot standby) takes the reads of the public read-only pages
# (portal/dbrouting.py); everything else, every write and every transaction stays on default.
# Unset: no "replica" alias exists and every query goes to default, as before.
_replica_url = env_str("DATABASE_REPLICA_URL", "")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # Tests create no second database for it: the replica is the same data.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
CUNBAN_READ_REPLICA = "replica" if _replica_url else ""
DATABASE_ROUTERS = ["portal.dbrouting.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [PORTAL_DIR / "static"]
# MEDIA_*, PRIVATE_MEDIA_ROOT and STORAGES: portal/settings/storage.py (local disk or S3).
# Without a collected manifest (tests, a first `runserver`), serve from the finders.
WHITENOISE_USE_FINDERS = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
