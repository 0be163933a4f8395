"""The one settings module of the venowatch web application, read from the environment.

Variables (all prefixed VENOWATCH_ except DATABASE_URL):
  VENOWATCH_SECRET_KEY   required; `venowatch serve` makes and keeps one in the data directory
  VENOWATCH_DATA_DIR     where the embedded database and the kept secret live (default ./var)
  DATABASE_URL           sqlite:////abs/path.db or postgresql://user:pass@host:port/name
                         (default: SQLite in the data directory)
  VENOWATCH_DEBUG        true/false (default false)
  VENOWATCH_ALLOWED_HOSTS  comma-separated (default localhost,127.0.0.1,[::1])
  VENOWATCH_EMAIL_*      HOST, PORT, USER, PASSWORD, STARTTLS, TIMEOUT, FROM: the SMTP server
  VENOWATCH_BASE_URL     where people reach the site; links in emails point here
  VENOWATCH_SMS_*        ACCOUNT_SID, AUTH_TOKEN, FROM, BASE_URL, TIMEOUT: the SMS provider
                         (Twilio's API); SMS is off unless the first three are set
  VENOWATCH_AUDIT        true/false (default true): the audit log; off only for bench/audit.py
  VENOWATCH_PHONE_REGION the country (ISO code, default US) of numbers typed without +code
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from venowatch.env import EnvError, env_bool, env_int, env_list, env_str

# Lets `ModelAdmin[Model]` and friends, which the type checker wants, work at run time too.
django_stubs_ext.monkeypatch()

DATA_DIR = Path(env_str("VENOWATCH_DATA_DIR", str(Path.cwd() / "var"))).resolve()
SECRET_KEY = env_str("VENOWATCH_SECRET_KEY")
DEBUG = env_bool("VENOWATCH_DEBUG", False)
ALLOWED_HOSTS = env_list("VENOWATCH_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Its own copy of the API docs' scripts, served from the package, never from a CDN.
    "ninja",
    "venowatch.clinic",
    "venowatch.clinic.legacy_fhir",
    "venowatch.notify",
    "venowatch.security",
    "venowatch.integration",
    "venowatch.audit",
    "venowatch.web",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "venowatch.web.audit_origin.AuditOriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "venowatch.urls"
WSGI_APPLICATION = "venowatch.wsgi.application"
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
            ],
        },
    }
]


def _database(url: str) -> dict[str, Any]:
    if not url.startswith(("sqlite:", "postgres:", "postgresql:")):
        raise EnvError(
            f"DATABASE_URL must be sqlite:////abs/path.db or postgresql://..., not {url!r}"
        )
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer commits; FULL makes a commit survive power loss;
        # IMMEDIATE takes the write lock up front so two writers queue instead of failing midway.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        }
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {
    "default": _database(env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'venowatch.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["venowatch.services.security.access.MemberBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = env_str("VENOWATCH_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env_str("VENOWATCH_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("VENOWATCH_EMAIL_HOST", "localhost")
EMAIL_FILE_PATH = DATA_DIR / "sent-mail"  # for the file backend `serve --demo` uses
EMAIL_PORT = env_int("VENOWATCH_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("VENOWATCH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("VENOWATCH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("VENOWATCH_EMAIL_STARTTLS", False)
EMAIL_TIMEOUT = env_int("VENOWATCH_EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("VENOWATCH_EMAIL_FROM", "venowatch@localhost")
VENOWATCH_BASE_URL = env_str("VENOWATCH_BASE_URL", "http://localhost:8000").rstrip("/")
"""Links in emails point here: the address patients and staff reach the site at."""

VENOWATCH_SMS_ACCOUNT_SID = env_str("VENOWATCH_SMS_ACCOUNT_SID", "")
VENOWATCH_SMS_AUTH_TOKEN = env_str("VENOWATCH_SMS_AUTH_TOKEN", "")
VENOWATCH_SMS_FROM = env_str("VENOWATCH_SMS_FROM", "")
VENOWATCH_SMS_BASE_URL = env_str("VENOWATCH_SMS_BASE_URL", "https://api.twilio.com").rstrip("/")
"""The provider's API; tests point it at a local server that answers as Twilio's does."""
VENOWATCH_SMS_TIMEOUT = env_int("VENOWATCH_SMS_TIMEOUT", 10)
VENOWATCH_SMS_ENABLED = bool(
    VENOWATCH_SMS_ACCOUNT_SID and VENOWATCH_SMS_AUTH_TOKEN and VENOWATCH_SMS_FROM
)
"""Off when unset: then no SMS is queued, and every message goes by email."""
VENOWATCH_PHONE_REGION = env_str("VENOWATCH_PHONE_REGION", "US").upper()
VENOWATCH_BASE_URL_SET = env_str("VENOWATCH_BASE_URL", "") != ""
"""Whether the address was given: if not, CDS Hooks takes its own URL from each request."""

VENOWATCH_AUDIT = env_bool("VENOWATCH_AUDIT", True)
"""Every read, write and refusal of a patient's record is logged (venowatch.audit). Off only to
measure what the log costs (bench/audit.py); a deployment keeps it on."""

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("VENOWATCH_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("VENOWATCH_LOG_LEVEL", "WARNING")},
}
