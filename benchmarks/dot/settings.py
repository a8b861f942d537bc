"""Django settings for the django-oauth-toolkit side of ``benchmarks.oauth``.

Configured as close to Joist's policy as the toolkit allows: PKCE required (S256), refresh
rotation with reuse protection and a 10 s grace period. ``DOT_DATABASE`` names the SQLite file;
``DOT_DATABASE_URL`` (``postgresql://…``) uses PostgreSQL instead.
"""

import os
from urllib.parse import urlsplit

SECRET_KEY = "benchmark-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "oauth2_provider"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "benchmarks.dot.urls"
if os.environ.get("DOT_DATABASE_URL"):  # postgresql://user@host:port/name
    _url = urlsplit(os.environ["DOT_DATABASE_URL"])
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _url.path.lstrip("/"),
            "USER": _url.username or "postgres",
            "HOST": _url.hostname or "127.0.0.1",
            "PORT": str(_url.port or 5432),
            "OPTIONS": {"pool": {"min_size": 2, "max_size": 8}},  # Django 5.1+ psycopg pool
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["DOT_DATABASE"],
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 10,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 3600,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES": {"read:projects": "read projects", "write:projects": "write projects"},
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
}
