"""Settings for the support-fund platform: every value comes from the environment.

With nothing set, the site runs on its embedded default: a SQLite file in the project, Celery tasks
run eagerly in process, local-memory cache and e-mail printed to the console. Production sets
DATABASE_URL (PostgreSQL), REDIS_URL (Celery broker and cache), SECRET_KEY, DEBUG=false and
ALLOWED_HOSTS; see the README.
"""

import re
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from common.audit import AUDIT_RETENTION_MINIMUM_DAYS

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
# The fallback key is only usable while DEBUG is on: check --deploy and production refuse it.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-embedded-default-only-for-development")
if not DEBUG and SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured("Set SECRET_KEY to a long random value when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_celery_beat",
    "simple_history",
    "csp",
    # The read API (api/): REST framework, knox's hashed tokens, the OpenAPI schema and its UI.
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "common",
    "accounts",
    "declarations",
    "review",
    "publicity",
    "disbursement",
    "notices",
    "monitoring",
    "api",
    # config holds the demo data command, which uses every app.
    "config",
]

MIDDLEWARE = [
    "config.middleware.SlowRequestLogMiddleware",
    "config.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records each 403 and each 429 not recorded already as a security event.
    "accounts.security.SecurityEventMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication and messages: the idle timeout, then the forced MFA enrolment.
    "accounts.middleware.SessionActivityMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notices.context_processors.unread_notices",
                "config.context_processors.permissions",
                "publicity.context_processors.calendar_gap",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connection reuse: each gunicorn thread (and Celery process) keeps its connection for CONN_MAX_AGE
# seconds instead of opening one per request (a TLS handshake and authentication on PostgreSQL),
# checked before it is reused after a request, so a connection the server or PgBouncer dropped is
# replaced instead of failing the request. 0 closes it after each request: the value to use behind
# PgBouncer in transaction mode (docs/deployment.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator(), which the streamed
# exports use) may find its transaction's server connection gone: this makes them fetch client-side.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The statements of common.sql.fetch (the public board's reads) are prepared on a connection
    # once it has run them this many times, and then run without being planned again; the ORM's
    # queries never are. 0 turns it off: a pooler in transaction mode must then keep prepared
    # statements (PgBouncer 1.21 and later, max_prepared_statements), docs/deployment.md.
    PREPARE_THRESHOLD = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = PREPARE_THRESHOLD or None
    # And planned once for all their runs (common.sql.plan_cache_mode_set); "auto" for PostgreSQL's
    # default, which planned the board's read of a page of rows afresh at every run.
    DATABASE_PLAN_CACHE_MODE = env.str("DATABASE_PLAN_CACHE_MODE", default="force_generic_plan")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"

# Registers kept by apps above declarations that bar a unit from declaring (the credit register and
# the register of unit status of Art. 17 are review's, the bars after a recovery of Art. 21
# disbursement's): functions of the organisation returning the reasons, shown before a declaration
# is started and asked at submission.
DECLARATION_BARS = ["review.recheck.recheck_bars", "disbursement.recovery_selectors.recovery_case_bars"]
# What follows a change of an organisation's profile in the apps above declarations: functions
# called as f(organisation, before=<{field: old value}>, actor=<user>) in the same transaction.
# Review records in its register of unit status a unit whose profile moved out of Beijing (Art. 17).
ORGANISATION_PROFILE_CHANGED = ["review.unit_status.unit_status_after_profile_change"]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Passwords per OWASP ASVS 5.0 level 2 (V6.2): at least 12 characters, up to 128 (at least 64 must
# be allowed), not one of the 20,000 common passwords from breaches that Django bundles, not close to
# the user's name or e-mail; no composition rules (Django's NumericPasswordValidator, "not only
# digits", is one and is not used).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: applicants sign up themselves, with their organisation.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "declarations.signup.OrganisationSignupForm"
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "declarations.signup.AccountAdapter"
# Failed logins: per client address, and per account (the lockout), at allauth's rate syntax
# ("<count>/<period>/<ip|key>"). Every login, the administration's too (accounts.views.admin_login),
# goes through allauth's, so this one limit covers them all; the MFA step counts against it too.
ACCOUNT_RATE_LIMITS = {"login_failed": env("ACCOUNT_LOGIN_FAILED_RATE", default="10/m/ip,5/5m/key")}

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with recovery codes, shown
# once. Commission staff, reviewers, finance officers and the administrator must enrol
# (accounts.middleware.MFARequiredMiddleware) and cannot switch it off (accounts.adapter).
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_RECOVERY_CODES_SHOW_ONCE = True
# The code of the time step before or after the current one passes too (RFC 6238, 5.2: one step
# for the delay between the app showing a code and the server reading it, and for clocks a little
# apart); a code is still taken once only.
MFA_TOTP_TOLERANCE = 1
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="ZGC Support Funds")

# Sessions: a user sees their sessions (device, address, last seen) and ends the others
# (allauth.usersessions; last seen is written by accounts.middleware.SessionActivityMiddleware).
USERSESSIONS_TRACK_ACTIVITY = True
# A session lasts at most 12 hours (a working day, then sign in again) rather than Django's 14 days:
# a stolen or forgotten session of an applicant is not good for two weeks. Staff-side roles are also
# signed out after STAFF_IDLE_TIMEOUT seconds without a request (30 minutes, 等保 2.0 level 2).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
STAFF_IDLE_TIMEOUT = env.int("STAFF_IDLE_TIMEOUT", default=30 * 60)
# How often a session's last activity (and the session list's "last seen") is written, in seconds: an
# idle session ends between STAFF_IDLE_TIMEOUT and this much more after its last request.
SESSION_ACTIVITY_RESOLUTION = env.int("SESSION_ACTIVITY_RESOLUTION", default=60)
if not 0 < SESSION_ACTIVITY_RESOLUTION < STAFF_IDLE_TIMEOUT:
    raise ImproperlyConfigured("SESSION_ACTIVITY_RESOLUTION must be above 0 and below STAFF_IDLE_TIMEOUT.")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# English date formats for readers in Beijing (config/formats/en); Chinese keeps Django's.
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and generated files: on this host's disk unless S3_BUCKET names a bucket of an
# S3-compatible object store, which every web host and worker then shares (docs/deployment.md,
# "Object storage"). Both storages are private there: objects under no public URL, each download a
# link signed for S3_SIGNED_URL_SECONDS after a permission-checking view (common.private_files).
S3_BUCKET = env("S3_BUCKET", default="")


def s3_storage(*, bucket, location):
    """The OPTIONS of common.storage.PrivateS3Storage for `bucket`, its objects under `location`."""
    return {
        "BACKEND": "common.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": location,
            # Empty: Amazon S3 itself; otherwise the store's address, which browsers also reach
            # (the signed links point there).
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="") or None,
            # Empty: boto3's own chain (AWS_ACCESS_KEY_ID..., an instance's or a pod's role).
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            # "path" for MinIO and most stores on an address of their own; "virtual" or "auto" for S3.
            "addressing_style": env("S3_ADDRESSING_STYLE", default="") or None,
            "signature_version": "s3v4",
            # Empty for a bucket whose ACLs are disabled (Object Ownership "bucket owner enforced").
            "default_acl": env("S3_OBJECT_ACL", default="private") or None,
            "querystring_auth": True,
            "querystring_expire": int(env("S3_SIGNED_URL_SECONDS", default="") or 60),
            "file_overwrite": False,
        },
    }


if S3_BUCKET:
    # An empty value (docker-compose passes every S3_* through) means the default, as if unset.
    _default_storage = s3_storage(bucket=S3_BUCKET, location=env("S3_MEDIA_PREFIX", default="") or "media")
    _attachments_storage = s3_storage(
        bucket=env("S3_ATTACHMENTS_BUCKET", default="") or S3_BUCKET,
        location=env("S3_ATTACHMENTS_PREFIX", default="") or "private",
    )
    _default_options, _attachments_options = _default_storage["OPTIONS"], _attachments_storage["OPTIONS"]
    if (_default_options["bucket_name"], _default_options["location"].strip("/")) == (
        _attachments_options["bucket_name"],
        _attachments_options["location"].strip("/"),
    ):
        raise ImproperlyConfigured("Give S3_ATTACHMENTS_BUCKET or S3_ATTACHMENTS_PREFIX a bucket or prefix of its own.")
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _attachments_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("ATTACHMENTS_ROOT", default=str(BASE_DIR / "media" / "private"))},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
    # Evidence files: never under a public URL; views serve them after a permission check
    # (common.private_files.private_file_response).
    "attachments": _attachments_storage,
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Behind a proxy, the request header that carries the client's address (e.g. HTTP_X_REAL_IP or
# HTTP_X_FORWARDED_FOR), recorded when a good-faith commitment is signed and counted by the rate limits
# of objections; empty: the connection's.
CLIENT_ADDRESS_HEADER = env("CLIENT_ADDRESS_HEADER", default="")
# The largest evidence file accepted, in bytes.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

# Anonymous writes are rate-limited by one limiter (common.limits: django-ratelimit, on the cache
# named here: Redis in production, so the counts hold across processes). Objections are counted per
# client address and per project, failed look-ups per client address (guessing receipt numbers),
# sign-ups, password resets and the estimator's estimates per client address (allauth's own
# ACCOUNT_RATE_LIMITS stay a second line). A rate is "<count>/<period>", period s, m, h or d.
RATELIMIT_USE_CACHE = "default"
PUBLICITY_OBJECTION_RATE_PER_ADDRESS = env("PUBLICITY_OBJECTION_RATE_PER_ADDRESS", default="5/h")
PUBLICITY_OBJECTION_RATE_PER_ENTRY = env("PUBLICITY_OBJECTION_RATE_PER_ENTRY", default="30/d")
PUBLICITY_LOOKUP_RATE = env("PUBLICITY_LOOKUP_RATE", default="10/h")
SIGNUP_RATE_PER_ADDRESS = env("SIGNUP_RATE_PER_ADDRESS", default="10/h")
PASSWORD_RESET_RATE_PER_ADDRESS = env("PASSWORD_RESET_RATE_PER_ADDRESS", default="5/h")
ESTIMATE_RATE_PER_ADDRESS = env("ESTIMATE_RATE_PER_ADDRESS", default="120/h")
# The commission's id as the funder in the open data (360Giving's fundingOrganization): its org-id,
# CN-USCC-<unified social credit code>, once the deployment names it; the publisher's prefix till then.
OPEN_DATA_FUNDER_ID = env("OPEN_DATA_FUNDER_ID", default="360G-bjkw")
# The open data's downloads (every award of the years asked): per client address.
OPEN_DATA_DOWNLOAD_RATE_PER_ADDRESS = env("OPEN_DATA_DOWNLOAD_RATE_PER_ADDRESS", default="60/h")
for _name in (
    "PUBLICITY_OBJECTION_RATE_PER_ADDRESS",
    "PUBLICITY_OBJECTION_RATE_PER_ENTRY",
    "PUBLICITY_LOOKUP_RATE",
    "SIGNUP_RATE_PER_ADDRESS",
    "PASSWORD_RESET_RATE_PER_ADDRESS",
    "ESTIMATE_RATE_PER_ADDRESS",
    "OPEN_DATA_DOWNLOAD_RATE_PER_ADDRESS",
):
    if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", vars()[_name]):
        raise ImproperlyConfigured(f"{_name} must read like 5/h (a count, then s, m, h or d, e.g. 30/d or 10/15m).")

# How long the audit trail (common.audit) is kept before manage.py prune_audit may delete it, in
# days: at least six months (GB/T 22239-2019 8.1.4.3), which the database's trigger holds too.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=AUDIT_RETENTION_MINIMUM_DAYS)
if AUDIT_RETENTION_DAYS < AUDIT_RETENTION_MINIMUM_DAYS:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least {AUDIT_RETENTION_MINIMUM_DAYS}: audit rows are kept six months."
    )

# Publicity (Art. 15 (3)): whether the day a batch is opened counts as its first day (the board
# says which), and the commission's contact printed on the public notice.
PUBLICITY_COUNTS_OPENING_DAY = env.bool("PUBLICITY_COUNTS_OPENING_DAY", default=False)
PUBLICITY_CONTACT = env(
    "PUBLICITY_CONTACT",
    default="北京市科学技术委员会、中关村科技园区管理委员会 · 电话 010-12345678 · publicity@kw.beijing.example",
)

# History is for reading: reverting a declaration in the admin would change its state outside
# the workflow.
SIMPLE_HISTORY_REVERT_DISABLED = True
# A change reason is a text column: a reason staff typed (a classification's, up to 2,000
# characters) is kept whole, and a note the system wrote is stored as a message (common.history).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed to the console unless EMAIL_URL names a real server (smtp+tls://user:pw@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Support funds <no-reply@kw.beijing.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds an SMTP conversation may take: a notice's row stays locked while its mail is sent.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Redis, when set, is the Celery broker and the cache; without it tasks run eagerly in process.
# REDIS_CACHE_URL may name another Redis database for the cache, so clearing the cache never
# drops queued tasks.
REDIS_URL = env("REDIS_URL", default="")
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "common.cache.RedisCache", "LOCATION": REDIS_CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With the cache shared by every process (Redis), a session is read from it and written through to
# the database: a signed-in request reads no session row. A cache of each process's own would keep
# serving a session that another process ended (a sign-out), so then sessions are the database's.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")
# CELERY_BROKER_URL names another broker: `make run` gives its worker and beat kombu's filesystem
# transport (`filesystem://`), which needs no server, its folders under CELERY_FILESYSTEM_ROOT.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_FILESYSTEM_ROOT = Path(env("CELERY_FILESYSTEM_ROOT", default=str(BASE_DIR / ".run" / "celery")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_ROOT / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_ROOT / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_ROOT / "control"),
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A prefork child killed in the middle of a task (out of memory, SIGKILL) gives its message back to
# the queue instead of acknowledging it as failed; the tasks are idempotent (notices are sent once).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "deliver-pending-notices": {"task": "notices.tasks.deliver_pending_notices", "schedule": 300.0},
    # A publicity window ends at 24:00 Beijing time: closing runs right after midnight (crontab in
    # CELERY_TIMEZONE), and every 15 minutes as a safety net for a missed run or a late objection reply.
    "close-publicity-at-midnight": {
        "task": "publicity.tasks.close_due_publicity_batches",
        "schedule": crontab(minute=0, hour=0),
    },
    "close-due-publicity-batches": {"task": "publicity.tasks.close_due_publicity_batches", "schedule": 900.0},
    # A safety net for a recomputation lost between a decision's commit and its task (crash, broker down).
    "recompute-award-caps": {"task": "declarations.tasks.recompute_award_caps", "schedule": 3600.0},
    # Hourly in office hours (Beijing), so a beat down at nine still warns that day; the service
    # sends each person one notice a day at most.
    "warn-of-calendar-gaps": {
        "task": "publicity.tasks.warn_of_calendar_gaps",
        "schedule": crontab(minute=0, hour="9-17"),
    },
    # A recovery case is overdue from the day after its due date: flagged just after midnight
    # (Beijing), and hourly after that in case beat was down; a case is flagged once.
    "flag-overdue-recovery-cases": {
        "task": "disbursement.tasks.flag_overdue_recovery_cases",
        "schedule": crontab(minute=5),
    },
    # Performance reports due soon or overdue (Art. 18): each reminder is sent once per due date and
    # kind, so the hourly runs in office hours only catch up on a missed one.
    "send-performance-reminders": {
        "task": "monitoring.tasks.send_performance_reminders",
        "schedule": crontab(minute=10, hour="8-17"),
    },
}

# Production hardening: on whenever DEBUG is off, each switchable for a proxy that terminates TLS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# No other site learns which page (a declaration's, a console search) a link was followed from.
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts and styles come only from our own static files, or
# from an inline block that carries the request's nonce (`<script nonce="{{ request.csp_nonce }}">`;
# the header names a nonce only on a page that used one). Images may also be data: URIs: Bootstrap's
# icons (the select's arrow, the close button, the menu toggler) are, and so is the QR code of
# allauth's authenticator-app page. No page may be framed, and forms post only to this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Permissions-Policy (django-permissions-policy): the browser features the product never uses are
# refused to every origin, this site's too. Clipboard writes stay (allauth's recovery codes copy
# themselves), and so do security keys (publickey-credentials-*), which allauth's MFA may offer.
# Only features Chromium knows: it reports any other name on every page (ambient-light-sensor and
# bluetooth, for instance, are behind its flags).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# A request slower than this is logged with its path and duration (config.middleware).
SLOW_REQUEST_SECONDS = env.float("SLOW_REQUEST_SECONDS", default=1.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "common.jsonlog.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint reports every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        # Security events (accounts.security), one JSON object a line for the operator's log system.
        "zgc.security": {"handlers": ["json"], "level": "INFO", "propagate": False},
        # Requests slower than SLOW_REQUEST_SECONDS (config.middleware.SlowRequestLogMiddleware).
        "zgc.requests": {"handlers": ["json"], "level": "INFO", "propagate": False},
    },
}

# The read API (api/, docs/api.md): only knox tokens (stored as SHA-512 digests, each with an expiry,
# revoked by deleting it; api.models.ApiToken adds a name), read-only, one page size, a rate per token.
# (bandit's B105 reads "TOKEN" names as passwords: these are a model's name, no default lifetime (each
# token is given one, api.services.TOKEN_LIFETIMES) and the visible prefix of every token.)
KNOX_TOKEN_MODEL = "api.ApiToken"  # nosec B105 # a model's name
# knox's migrations create its own token table (0002 is not swappable) even when the model is
# swapped: a table no model owns, whose key to the users stopped flush (and the test database's
# reset on PostgreSQL). Without them, the swapped model has no table, as Django intends.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": None,  # nosec B105 # each token gets its lifetime from api.services
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_PREFIX": "zgc_",  # nosec B105 # the prefix that makes a leaked token recognisable, not a secret
}
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="1200/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ReadOnlyForSignedIn"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_THROTTLE_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ZGC support funds read API",
    "DESCRIPTION": "Declarations, payments and recovery cases, as the token's holder may see them (docs/api.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Shown in the site header and on notices.
SITE_NAME = _("Zhongguancun Technology-Finance Support Funds")
