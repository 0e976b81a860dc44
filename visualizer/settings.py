"""Settings: embedded defaults (SQLite, in-memory channel layer), overridden by the environment.

DATABASE_URL selects PostgreSQL, REDIS_URL the Redis channel layer, for the hosted site.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from visualizer.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
_LOCAL_SECRET_KEY = "servicescope-local-only-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _LOCAL_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "cluster",
    "visualizer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "visualizer.security.ContentSecurityPolicy",
    "visualizer.security.DatabaseUnavailable",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "visualizer.ratelimit.RateLimit",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "visualizer.urls"
ASGI_APPLICATION = "visualizer.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool per process: Django runs each request in a thread of its own, so a connection kept by
    # CONN_MAX_AGE would never be used again, and a new PostgreSQL connection (a server process
    # forked) per request costs more than most requests. The health check replaces connections
    # that a database restart broke before a request gets one.
    DATABASES["default"]["OPTIONS"] = {"pool": {
        "min_size": 2, "max_size": env_int("DATABASE_POOL_SIZE", 20, minimum=1), "timeout": 30}}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file test database lets Daphne in a child process share it with the tests.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}
    # WAL: readers (snapshots, watches) never wait for a write; synchronous=NORMAL syncs at
    # checkpoints instead of at every commit, so a crash of the server loses nothing committed
    # (only a power loss may lose the last commits of a laptop sandbox).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30, "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Request threads are kept and lent again (visualizer/http_stack.py), so their connections can
    # be too: closing a process's last SQLite connection checkpoints the WAL and syncs the file,
    # about 10 ms after every request. A kept connection is closed after 10 minutes or on an error.
    DATABASES["default"]["CONN_MAX_AGE"] = 600

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # Redis pub/sub: a process's one subscriber connection brings every sandbox's messages, many per
    # read. (The list-based RedisChannelLayer pops one message per round trip for all of a
    # process's relays: under load its queues grew to most of a minute, then hit their capacity
    # and dropped.) Pub/sub keeps nothing for a process that is not listening: a viewer that
    # misses a batch sees the seq gap and resumes from the event log.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "max_connections": 1000, "socket_timeout": 10}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1500}}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files are served from static/ through the finders; a collected copy is used only when there is one
# (manage.py collectstatic with STATIC_ROOT set, for hosting behind a cache).
STATIC_ROOT = env_str("STATIC_ROOT", "") or None
# Where the lesson files are read from (default: cluster/lessons/); a teacher may point it elsewhere.
LESSON_DIR = env_str("LESSON_DIR", "") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
# HTTPS=true: the site is served over TLS (directly or behind a proxy setting X-Forwarded-Proto).
HTTPS = env_bool("HTTPS", False)
if HTTPS and SECRET_KEY == _LOCAL_SECRET_KEY:
    raise ImproperlyConfigured("set SECRET_KEY: the built-in key is for a local machine only")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# HSTS for subdomains and the preload list bind a whole domain: the operator's call, not ours.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Servicescope API",
    "DESCRIPTION": "Read a sandbox's simulated cluster and send traced requests through it.",
    "VERSION": "1",
    # Two choice sets share the field name `kind`: name each one.
    "ENUM_NAME_OVERRIDES": {
        "LessonKindEnum": ["lesson", "scenario"],
        "QuestionKindEnum": ["next_hop", "custom"],
    },
}

# --- Hosting: limits (README.md, "Hosting: limits") ---------------------------------------------
# Per sandbox, as a ResourceQuota named "sandbox" (pods, services) and the sandbox's own node limit.
SANDBOX_MAX_PODS = env_int("SANDBOX_MAX_PODS", 2000, minimum=1)
SANDBOX_MAX_SERVICES = env_int("SANDBOX_MAX_SERVICES", 200, minimum=1)
SANDBOX_MAX_NODES = env_int("SANDBOX_MAX_NODES", 50, minimum=1)
# Per visitor (session or token); 0 turns a limit off.
RATE_SANDBOXES_PER_HOUR = env_int("RATE_SANDBOXES_PER_HOUR", 30)
RATE_REQUESTS_PER_MINUTE = env_int("RATE_REQUESTS_PER_MINUTE", 600)
RATE_WS_MESSAGES_PER_SECOND = env_int("RATE_WS_MESSAGES_PER_SECOND", 20)
# Per client address, coarse: a class of 200 behind one NAT address stays well under it.
RATE_ADDRESS_REQUESTS_PER_MINUTE = env_int("RATE_ADDRESS_REQUESTS_PER_MINUTE", 30000)
RATE_ADDRESS_SANDBOXES_PER_HOUR = env_int("RATE_ADDRESS_SANDBOXES_PER_HOUR", 1000)
# Proxies in front of the site that append to X-Forwarded-For (0: the peer address is the client).
RATE_PROXY_HOPS = env_int("RATE_PROXY_HOPS", 0)
# The counters: Redis when REDIS_URL is set (shared by every process), else this process's memory
# (the embedded site is one process).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "servicescope"}
        if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
    ),
}
# Event log: at most this many events kept per sandbox (older ones are trimmed; a reader that far
# behind gets a fresh snapshot, or 410 Gone on a watch).
EVENT_LOG_MAX = env_int("EVENT_LOG_MAX", 10000, minimum=100)
# cleanup_sandboxes deletes sandboxes idle this long (no write, read or connected viewer).
SANDBOX_IDLE_HOURS = env_int("SANDBOX_IDLE_HOURS", 24, minimum=1)
# A student's screen renews its presence a third of this often; one silent for this long (its server
# process died) is shown as gone.
CLASS_PRESENCE_SECONDS = env_int("CLASS_PRESENCE_SECONDS", 90, minimum=3)
# A websocket viewer whose unsent messages pass either bound is closed with code 4008.
WS_SEND_QUEUE_MESSAGES = env_int("WS_SEND_QUEUE_MESSAGES", 500, minimum=1)
WS_SEND_QUEUE_BYTES = env_int("WS_SEND_QUEUE_BYTES", 16 * 1024 * 1024, minimum=1024)
# Bytes the server may hold unsent for one socket before its Outbox waits (the client is not reading).
WS_SEND_SERVER_BUFFER_BYTES = env_int("WS_SEND_SERVER_BUFFER_BYTES", 1024 * 1024, minimum=1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
