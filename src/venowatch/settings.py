"""The one settings module of the venowatch web application, read from the environment.

Variables (all prefixed VENOWATCH_ except DATABASE_URL):
  VENOWATCH_SECRET_KEY   required; `venowatch serve` makes and keeps one in the data directory
  VENOWATCH_DATA_DIR     where the embedded database and the kept secret live (default ./var)
  DATABASE_URL           sqlite:////abs/path.db or postgresql://user:pass@host:port/name
                         (default: SQLite in the data directory)
  VENOWATCH_DEVELOPMENT  true on a developer's machine (`serve --demo` sets it): allows DEBUG
                         and plain http; false (the default) is production
  VENOWATCH_DEBUG        true/false (default false); refused unless VENOWATCH_DEVELOPMENT
  VENOWATCH_SSL_REDIRECT  redirect http to https (production default true)
  VENOWATCH_HSTS_SECONDS  Strict-Transport-Security max-age (production default one year, 0 off)
  VENOWATCH_BEHIND_TLS_PROXY  true when a TLS proxy in front sets X-Forwarded-Proto (default false)
  VENOWATCH_SECURE_COOKIES  session and CSRF cookies over https only (production default true)
  VENOWATCH_TOKEN_DAYS   how long a new API token lives (default 90)
  VENOWATCH_INVITATION_DAYS  how long an enrolled patient's invitation link works (default 7)
Secrets (VENOWATCH_SECRET_KEY, DATABASE_URL, VENOWATCH_EMAIL_PASSWORD, VENOWATCH_SMS_AUTH_TOKEN)
may instead be read from a file named by the same variable with _FILE appended.
  VENOWATCH_ALLOWED_HOSTS  comma-separated (default localhost,127.0.0.1,[::1])
  VENOWATCH_EMAIL_*      HOST, PORT, USER, PASSWORD, STARTTLS, TIMEOUT, FROM: the SMTP server
  VENOWATCH_BASE_URL     where people reach the site; links in emails point here (default:
                         the address `venowatch serve` listens on, else http://localhost:8000)
  VENOWATCH_SMS_*        ACCOUNT_SID, AUTH_TOKEN, FROM, BASE_URL, TIMEOUT: the SMS provider
                         (Twilio's API); SMS is off unless the first three are set
  VENOWATCH_AUDIT        true/false (default true): the audit log; off only for bench/audit.py
  VENOWATCH_PHONE_REGION the country (ISO code, default US) of numbers typed without +code
  VENOWATCH_API_MAX_BODY, VENOWATCH_CDS_MAX_BODY, VENOWATCH_FHIR_MAX_BODY  the largest JSON
                         body, in bytes, the REST API (default 1 MiB), CDS Hooks (default
                         5 MiB) and FHIR (default 32 MiB) take; larger is a 413
  VENOWATCH_RATE_*       request limits as count/seconds: LOGIN, PASSWORD_RESET (by IP),
                         API_TOKEN (by token or user), API_IP (unauthenticated, by IP),
                         CDS_ISSUER, CDS_IP
  VENOWATCH_REDIS_URL    keep the rate-limit counters in Redis (default: in the database)

Signing in (docs/security.md, "Signing in"):
  VENOWATCH_LOGIN_FAILURE_LIMIT   failed sign-ins before a cool-off, counted per username and,
                                  separately, per client address (default 5)
  VENOWATCH_LOGIN_COOLOFF_MINUTES how long a locked username or address waits after its last
                                  failure (default 15); it then works again without an admin
  VENOWATCH_TRUSTED_PROXIES       how many proxies (a TLS proxy: 1) stand before the app; the
                                  client's address is then read from X-Forwarded-For (default 0)
  VENOWATCH_PASSWORD_RESET_MINUTES how long a password-reset link works (default 60)
  VENOWATCH_SESSION_IDLE_STAFF_MINUTES    staff are signed out after this long idle (default 30)
  VENOWATCH_SESSION_IDLE_PATIENT_MINUTES  patients are signed out after this long idle (480)
  VENOWATCH_SESSION_MAX_MINUTES   every session ends this long after sign-in (default 720)
  VENOWATCH_OUTCOMES_LOST_AFTER_DAYS  the outcome figures count a patient as lost to follow-up
                                  after this many days without a check-in (default 60)
  VENOWATCH_OUTCOMES_PGIC_WINDOW_DAYS  the check-in nearest 1, 3, 6 and 12 months counts if
                                  within this many days of the point (default 14)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from venowatch.env import EnvError, env_bool, env_int, env_list, env_secret, env_str

# Lets `ModelAdmin[Model]` and friends, which the type checker wants, work at run time too.
django_stubs_ext.monkeypatch()

DATA_DIR = Path(env_str("VENOWATCH_DATA_DIR", str(Path.cwd() / "var"))).resolve()
SECRET_KEY = env_secret("VENOWATCH_SECRET_KEY")
DEVELOPMENT = env_bool("VENOWATCH_DEVELOPMENT", False)
DEBUG = env_bool("VENOWATCH_DEBUG", False)
if DEBUG and not DEVELOPMENT:
    # Django's debug page shows settings, SQL and local variables: patient data, to anyone.
    raise EnvError(
        "VENOWATCH_DEBUG=true is refused in production: it shows patient data on error pages; "
        "set VENOWATCH_DEVELOPMENT=true too on a developer's machine (or use `serve --demo`)"
    )
ALLOWED_HOSTS = env_list("VENOWATCH_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # Its own copy of the API docs' scripts, served from the package, never from a CDN.
    "ninja",
    "csp",
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
    # After WhiteNoise, which answers static files itself: those may be cached.
    "venowatch.web.middleware.NoStoreMiddleware",
    "venowatch.api.content_type.JsonContentTypeMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication: a patient's stored language, or English for staff.
    "venowatch.web.language.PageLanguageMiddleware",
    "venowatch.web.audit_origin.AuditOriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A GET on a form's address goes to its page; other 405s are a page in the house style.
    "venowatch.web.error_pages.MethodNotAllowedMiddleware",
    "venowatch.web.throttle.RateLimitMiddleware",
    # After messages: an ended session says why on the sign-in page.
    "venowatch.web.signin_middleware.SessionLimitMiddleware",
    "venowatch.web.signin_middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
        config["ENGINE"] = "venowatch.sqlite"  # Django's, creating the file 0600
        # WAL lets readers go on while one writer commits; FULL makes a commit survive power loss;
        # IMMEDIATE takes the write lock up front so two writers queue instead of failing midway.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        }
        config["CONN_MAX_AGE"] = 0
        # Tests use an in-memory database, named so: pytest-django only recognises Django's own
        # engine as SQLite, and would otherwise make every xdist worker a file named
        # "test_<path>_gw0" relative to the working directory.
        config["TEST"] = {"NAME": ":memory:"}
    return config


DATABASES = {
    "default": _database(env_secret("DATABASE_URL", f"sqlite:///{DATA_DIR / 'venowatch.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 hashes new passwords; a PBKDF2 hash still checks and is rehashed with Argon2 at the
# user's next sign-in (Django upgrades a hash made by any hasher but the first).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
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
    # First: refuses a locked-out username or address before any password is checked.
    "venowatch.services.security.throttle.ThrottleBackend",
    "venowatch.services.security.access.MemberBackend",
]
PASSWORD_RESET_TIMEOUT = 60 * env_int("VENOWATCH_PASSWORD_RESET_MINUTES", 60)
# A refused form's CSRF check answers in the house style, not Django's bare page.
CSRF_FAILURE_VIEW = "venowatch.web.error_pages.csrf_failure"
# An enrolled patient's invitation to choose a password: longer, since it waits in an inbox.
VENOWATCH_INVITATION_DAYS = env_int("VENOWATCH_INVITATION_DAYS", 7)

# django-axes counts failed sign-ins in the database, so every worker and machine shares them.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("VENOWATCH_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("VENOWATCH_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks, each on its own
# The time the lockout page gives holds: more tries while locked do not push it back.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure kept, beyond the counters
AXES_LOCKOUT_CALLABLE = "venowatch.web.signin_views.locked_out"
AXES_CLIENT_IP_CALLABLE = "venowatch.web.client_address.client_address"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # security/admin_second_factor registers them, operator-only

# Second factor: the authenticator app names the site; a wrong code slows the next try.
OTP_TOTP_ISSUER = "venowatch"

VENOWATCH_SESSION_IDLE_STAFF = timedelta(
    minutes=env_int("VENOWATCH_SESSION_IDLE_STAFF_MINUTES", 30)
)
VENOWATCH_SESSION_IDLE_PATIENT = timedelta(
    minutes=env_int("VENOWATCH_SESSION_IDLE_PATIENT_MINUTES", 8 * 60)
)
VENOWATCH_SESSION_MAX = timedelta(minutes=env_int("VENOWATCH_SESSION_MAX_MINUTES", 12 * 60))
# The cookie dies with the longest a session may last; the middleware ends it sooner.
SESSION_COOKIE_AGE = int(VENOWATCH_SESSION_MAX.total_seconds())
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# The patient's side speaks these (docs/translations.md); staff pages stay English.
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("fr", _("French")), ("it", _("Italian"))]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
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
# Served at the site's root: /favicon.ico, which browsers ask for on pages that name none.
WHITENOISE_ROOT = Path(__file__).resolve().parent / "web" / "root"

EMAIL_BACKEND = env_str("VENOWATCH_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("VENOWATCH_EMAIL_HOST", "localhost")
EMAIL_FILE_PATH = DATA_DIR / "sent-mail"  # for the file backend `serve --demo` uses
EMAIL_PORT = env_int("VENOWATCH_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("VENOWATCH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("VENOWATCH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("VENOWATCH_EMAIL_STARTTLS", False)
EMAIL_TIMEOUT = env_int("VENOWATCH_EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("VENOWATCH_EMAIL_FROM", "venowatch@localhost")
VENOWATCH_BASE_URL = env_str(
    "VENOWATCH_BASE_URL", env_str("VENOWATCH_SERVED_AT", "http://localhost:8000")
).rstrip("/")
"""Links in emails point here: the address patients and staff reach the site at. Unset, the
address `venowatch serve` listens on (it sets VENOWATCH_SERVED_AT from --host and --port, for
its web workers and its worker alike): a link that works where the server runs beats one to a
port nobody serves."""

VENOWATCH_SMS_ACCOUNT_SID = env_str("VENOWATCH_SMS_ACCOUNT_SID", "")
VENOWATCH_SMS_AUTH_TOKEN = env_secret("VENOWATCH_SMS_AUTH_TOKEN", "")
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

VENOWATCH_API_MAX_BODY = env_int("VENOWATCH_API_MAX_BODY", 1 << 20)
VENOWATCH_CDS_MAX_BODY = env_int("VENOWATCH_CDS_MAX_BODY", 5 << 20)
VENOWATCH_FHIR_MAX_BODY = env_int("VENOWATCH_FHIR_MAX_BODY", 32 << 20)
"""The largest body POSTed under /fhir/r4/ (a transaction, a batch, an import): a Synthea
patient is a few MB. The FHIR routes read their body from the stream up to this
(services.wire.request_body); everywhere else Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
still holds."""
for _name in ("VENOWATCH_API_MAX_BODY", "VENOWATCH_CDS_MAX_BODY", "VENOWATCH_FHIR_MAX_BODY"):
    if globals()[_name] < 1024:
        raise EnvError(f"environment variable {_name} must be at least 1024 (bytes)")


def _rate(name: str, default: str) -> str:
    """A limit as count/seconds, checked here so that a typo stops the start-up."""
    text = env_str(name, default)
    count, _, seconds = text.partition("/")
    if not (count.isdigit() and seconds.isdigit() and int(count) > 0 and int(seconds) > 0):
        raise EnvError(f"environment variable {name} must be count/seconds, e.g. 20/300")
    return text


VENOWATCH_RATE_LIMITS = {
    "login": _rate("VENOWATCH_RATE_LOGIN", "20/300"),
    "password_reset": _rate("VENOWATCH_RATE_PASSWORD_RESET", "5/900"),
    "api_token": _rate("VENOWATCH_RATE_API_TOKEN", "600/60"),
    "api_ip": _rate("VENOWATCH_RATE_API_IP", "60/60"),
    "cds_issuer": _rate("VENOWATCH_RATE_CDS_ISSUER", "600/60"),
    "cds_ip": _rate("VENOWATCH_RATE_CDS_IP", "300/60"),
}
"""Requests allowed per window (services.security.ratelimit; web/throttle.py counts them)."""
VENOWATCH_REDIS_URL = env_str("VENOWATCH_REDIS_URL", "")
VENOWATCH_TRUSTED_PROXIES = env_int("VENOWATCH_TRUSTED_PROXIES", 0)
VENOWATCH_AUDIT = env_bool("VENOWATCH_AUDIT", True)
"""Every read, write and refusal of a patient's record is logged (venowatch.audit). Off only to
measure what the log costs (bench/audit.py); a deployment keeps it on."""

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("VENOWATCH_SECURE_COOKIES", not DEVELOPMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Production is reached over https only; a TLS proxy in front (docs/security.md) says so in
# X-Forwarded-Proto, which is trusted only when the deployment says a proxy sets it.
SECURE_SSL_REDIRECT = env_bool("VENOWATCH_SSL_REDIRECT", not DEVELOPMENT)
SECURE_HSTS_SECONDS = env_int("VENOWATCH_HSTS_SECONDS", 0 if DEVELOPMENT else 31_536_000)
if SECURE_HSTS_SECONDS < 0:
    raise EnvError(f"VENOWATCH_HSTS_SECONDS must be 0 (off) or more, not {SECURE_HSTS_SECONDS}")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("VENOWATCH_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("VENOWATCH_HSTS_PRELOAD", True)
if env_bool("VENOWATCH_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# No inline script or style anywhere: every page's code and look come from static files
# (docs/decisions.md, the harden part says why the API's docs page alone may use inline styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

VENOWATCH_TOKEN_DAYS = env_int("VENOWATCH_TOKEN_DAYS", 90)
if VENOWATCH_TOKEN_DAYS < 1:
    raise EnvError(f"VENOWATCH_TOKEN_DAYS must be at least 1, not {VENOWATCH_TOKEN_DAYS}")
"""A new API token stops working this many days after it is made."""

VENOWATCH_OUTCOMES_LOST_AFTER_DAYS = env_int("VENOWATCH_OUTCOMES_LOST_AFTER_DAYS", 60)
VENOWATCH_OUTCOMES_PGIC_WINDOW_DAYS = env_int("VENOWATCH_OUTCOMES_PGIC_WINDOW_DAYS", 14)
for _name, _value, _lowest in (
    ("VENOWATCH_OUTCOMES_LOST_AFTER_DAYS", VENOWATCH_OUTCOMES_LOST_AFTER_DAYS, 1),
    ("VENOWATCH_OUTCOMES_PGIC_WINDOW_DAYS", VENOWATCH_OUTCOMES_PGIC_WINDOW_DAYS, 0),
):
    if _value < _lowest:
        raise EnvError(f"{_name} must be at least {_lowest}, not {_value}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("VENOWATCH_LOG_LEVEL", "WARNING")},
}
