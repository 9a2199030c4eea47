"""The one settings module of TNE: every value that differs between machines comes from the
environment through the typed helpers of ``tne.core.env``, which fail loudly on a bad value."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from tne.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TNE_VAR_DIR", str(BASE_DIR / "var")))
# The real open data the demo, the map and the bench read: the data/ folder of the repository
# (sources and licences in data/README.md), unless TNE_DATA_DIR names another folder.
DEFAULT_DATA_DIR = BASE_DIR / "data"
DATA_DIR = Path(env_str("TNE_DATA_DIR", str(DEFAULT_DATA_DIR)))

DEBUG = env_bool("DEBUG", default=False)
_DEV_SECRET = "insecure-dev-only-secret-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None)
# Keys that seal personal data at rest (tne.core.crypto): the first seals, all open.
DATA_KEYS = env_list("TNE_DATA_KEYS", [])
if not DATA_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "La variable d'environnement TNE_DATA_KEYS est obligatoire (clé de chiffrement des "
            "données personnelles ; voir docs/architecture.md, « Données personnelles »)."
        )
    from tne.core.crypto import development_key

    DATA_KEYS = [development_key(SECRET_KEY)]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tne.sqlite3'}"),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL illisible : {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs 70-170 ms on our short web queries and saves nothing (bench/).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",  # django-dsfr's checkbox and radio snippets load it (signature forms)
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "tne.core",
    "tne.territory",
    "tne.accounts",
    "tne.programme",
    "tne.equipment",
    "tne.loans",
    "tne.api",
    "tne.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tne.core.middleware.LoginRequiredMiddleware",
    # Loans (M6): an account whose only roles are « Parent » opens « Mon prêt » only.
    "tne.loans.family_access.FamilyOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: answers a locked-out login with its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tne.urls"
WSGI_APPLICATION = "tne.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tne" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tne.core.context_processors.shell",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "tne.accounts.throttle.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins (django-axes): per account and per address, on the login page and the admin's.
AXES_FAILURE_LIMIT = env_int("TNE_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TNE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "tne.accounts.throttle.attempted_username"
AXES_CLIENT_IP_CALLABLE = "tne.accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "tne.accounts.throttle.locked_out"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# « Mot de passe oublié ? »: at most this many reset messages per address and per hour (past that,
# the page reads the same and nothing is sent); the link works once, for PASSWORD_RESET_TIMEOUT.
TNE_PASSWORD_RESET_LIMIT = env_int("TNE_PASSWORD_RESET_LIMIT", 3)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "tne.core.storage.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# The cache carries what the web process and the task worker share while work runs (the live
# progress of jobs): files under var/ work for one machine; several machines need a shared
# backend (TNE_CACHE_BACKEND and TNE_CACHE_LOCATION, e.g. Django's Redis or database cache).
CACHES = {
    "default": {
        "BACKEND": env_str(
            "TNE_CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"
        ),
        "LOCATION": env_str("TNE_CACHE_LOCATION", str(VAR_DIR / "cache")),
    }
}

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security: secure cookies and HSTS when not in DEBUG. TNE_INSECURE_HTTP lets the demo run on
# plain http://127.0.0.1 without DEBUG; never set it on a public server.
_HTTPS = not DEBUG and not env_bool("TNE_INSECURE_HTTP", default=False)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if _HTTPS else 0
# Trust X-Forwarded-Proto and -For only behind a reverse proxy that sets them (else a client
# could forge them).
TNE_BEHIND_PROXY = env_bool("TNE_BEHIND_PROXY", default=False)
if TNE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy: nothing from third-party hosts, scripts only with a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# django-dsfr marks tag content (table cells, alert text) safe unless told otherwise: never with
# imported data in the cells.
DSFR_CONTENT_IS_SAFE = False
# Not set: django-dsfr reads DSFR_MARK_OPTIONAL_FIELDS globally, and our filter forms, all optional,
# would show « (Optionnel) » on every field. Required fields keep their asterisk.

# What the operator of an instance must publish (legal notice, accessibility statement): the
# organisation, the publication director, the host (name and address), a contact address, and
# the date of the accessibility statement. Empty: the pages say the instance has not declared it.
TNE_OPERATOR = env_str("TNE_OPERATOR", "")
TNE_PUBLICATION_DIRECTOR = env_str("TNE_PUBLICATION_DIRECTOR", "")
TNE_HOST_PROVIDER = env_str("TNE_HOST_PROVIDER", "")
TNE_CONTACT_EMAIL = env_str("TNE_CONTACT_EMAIL", "")
TNE_ACCESSIBILITY_STATEMENT_DATE = env_str("TNE_ACCESSIBILITY_STATEMENT_DATE", "")
# The last RGAA audit of the instance, if any: its date (as it should read, « 12 mars 2027 ») and
# the rate of criteria met (0 to 100), which decide the conformity the statement declares.
TNE_ACCESSIBILITY_AUDIT_DATE = env_str("TNE_ACCESSIBILITY_AUDIT_DATE", "")
TNE_ACCESSIBILITY_AUDIT_RATE = env_int("TNE_ACCESSIBILITY_AUDIT_RATE", -1)

# Uploaded files (the reference files to import) are refused past this size while being read.
TNE_MAX_UPLOAD_BYTES = env_int("TNE_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
# They are kept this many days after their upload, then deleted by `tne purge_imports` (daily).
TNE_IMPORT_FILES_KEEP_DAYS = env_int("TNE_IMPORT_FILES_KEEP_DAYS", 90)
# --- loans (M6): guardians' contacts are deleted by `tne purge_contacts` (daily) this many days
# after the pupil's last loan closed (or, without a loan, after the need was declared).
TNE_CONTACT_RETENTION_DAYS = env_int("TNE_CONTACT_RETENTION_DAYS", 365)
# ---
FILE_UPLOAD_HANDLERS = [
    "tne.core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# A job still running after this long is taken for dead (its worker crashed) and marked failed.
TNE_JOB_TIMEOUT_MINUTES = env_int("TNE_JOB_TIMEOUT_MINUTES", 120)

# Paging of lists in the UI.
TNE_PAGE_SIZE = env_int("TNE_PAGE_SIZE", 25)

# E-mail: SMTP in production (EMAIL_HOST and the rest), printed on the console when no server
# is set (the demo: a password link appears in the terminal of `make demo`). ADMINS receive the
# server errors.
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}
EMAIL_HOST = env_str("EMAIL_HOST", "")
_email_backend = env_str("TNE_EMAIL_BACKEND", "smtp" if EMAIL_HOST else "console")
if _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"TNE_EMAIL_BACKEND={_email_backend!r} : attendu l'un de {', '.join(_EMAIL_BACKENDS)}."
    )
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = env_str("TNE_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "TNE <ne-pas-repondre@tne.invalid>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("", address) for address in env_list("ADMINS", [])]
EMAIL_SUBJECT_PREFIX = "[TNE] "
# The address of the site, for the links of messages sent outside a request.
TNE_SITE_URL = env_str("TNE_SITE_URL", "http://127.0.0.1:8000")

# --- Notifications (tne.core.notify) -----------------------------------------------------------
# The backend of each channel: a short name (console: written to the log, outbox: recorded in
# « Messages envoyés » only, email: EMAIL_BACKEND above, so SMTP) or the dotted path of a class
# (an SMS provider: see tne/core/notify/backends.py). By default e-mails go through the mail
# server when EMAIL_HOST is set outside DEBUG, SMS to the console (no provider is bundled).
_NOTIFY_SHORT_NAMES = {"EMAIL": ("console", "outbox", "email"), "SMS": ("console", "outbox")}


def _notify_backend(variable: str, channel: str, default: str) -> str:
    value = env_str(variable, default)
    dotted = "." in value and all(part.isidentifier() for part in value.split("."))
    if value not in _NOTIFY_SHORT_NAMES[channel] and not dotted:
        raise ImproperlyConfigured(
            f"{variable}={value!r} : attendu {', '.join(_NOTIFY_SHORT_NAMES[channel])} ou le "
            "chemin d'une classe (paquet.module.Classe)."
        )
    return value


TNE_NOTIFY_EMAIL_BACKEND = _notify_backend(
    "TNE_NOTIFY_EMAIL_BACKEND", "EMAIL", "email" if EMAIL_HOST and not DEBUG else "console"
)
TNE_NOTIFY_SMS_BACKEND = _notify_backend("TNE_NOTIFY_SMS_BACKEND", "SMS", "console")
# The sealed recipient of a message is emptied this many days after it was sent (`tne
# purge_messages`, daily); the masked form stays.
TNE_MESSAGE_RECIPIENTS_KEEP_DAYS = env_int("TNE_MESSAGE_RECIPIENTS_KEEP_DAYS", 90)
# --- end of notifications ----------------------------------------------------------------------

# --- loans (M6), lifecycle: the reminders of `tne send_loan_reminders` (daily): one in the 14 days
# before a due date, then at most this many once the loan is overdue (every 7 days).
TNE_LOAN_OVERDUE_REMINDERS = env_int("TNE_LOAN_OVERDUE_REMINDERS", 3)

# Logs: one JSON object per line (``tne.core.logs``), or plain text (TNE_LOG_FORMAT=text); the
# server errors are also e-mailed to ADMINS when there are some.
_LOG_FORMAT = env_str("TNE_LOG_FORMAT", "text" if DEBUG else "json")
if _LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"TNE_LOG_FORMAT={_LOG_FORMAT!r} : attendu json ou text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "tne.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": _LOG_FORMAT},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "ERROR",
            "propagate": False,
        },
        "tne.core.jobs": {
            "handlers": ["console", "mail_admins"],
            "level": "INFO",
            "propagate": False,
        },
        # Axes says at INFO each time a login resets a count: noise, not an event.
        "axes": {"level": "WARNING"},
    },
}
