"""Superset configuration for xunpan, read entirely from the environment.

Superset loads this file through SUPERSET_CONFIG_PATH (set by `xunpan.dashboards.superset_env`).
The embedded default keeps its metadata in SQLite under $XUNPAN_HOME/superset/ and caches on the
local disk; the compose stack sets SUPERSET_DATABASE_URI (Postgres) and REDIS_HOST instead.

Nothing secret is written to the log: the values below are read, never printed.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# --- secrets -------------------------------------------------------------------------------
# A unique key is mandatory: the key Superset once shipped as default let anyone forge sessions
# (CVE-2023-27524). `xunpan` generates it into $XUNPAN_HOME/secrets.env on first run.
SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY", "")
if len(SECRET_KEY) < 32:
    raise RuntimeError(
        "SUPERSET_SECRET_KEY is not set (or shorter than 32 characters); "
        "start Superset through `xunpan` or `make demo`, which generate it into $XUNPAN_HOME/secrets.env"
    )

# --- where Superset keeps its own state ----------------------------------------------------
XUNPAN_HOME = Path(os.environ.get("XUNPAN_HOME") or Path.cwd() / "var").resolve()
SUPERSET_STATE_DIR = Path(os.environ.get("SUPERSET_HOME") or XUNPAN_HOME / "superset")
DATA_DIR = str(SUPERSET_STATE_DIR)
UPLOAD_FOLDER = str(SUPERSET_STATE_DIR / "uploads") + "/"

SQLALCHEMY_DATABASE_URI = os.environ.get("SUPERSET_DATABASE_URI") or (
    f"sqlite:///{SUPERSET_STATE_DIR / 'superset.db'}?check_same_thread=false"
)

# --- security ------------------------------------------------------------------------------
# The Public role gets nothing: anonymous visitors see the login page only.
PUBLIC_ROLE_LIKE = None
AUTH_ROLE_PUBLIC = "Public"
WTF_CSRF_ENABLED = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _flag("SUPERSET_COOKIE_SECURE")  # on behind HTTPS in production
ENABLE_PROXY_FIX = _flag("SUPERSET_ENABLE_PROXY_FIX")
PREVENT_UNSAFE_DB_CONNECTIONS = True


def DB_CONNECTION_MUTATOR(uri, params, username, security_manager, source):
    """Open the file a DuckDB symlink points to *now*.

    Publishing repoints $XUNPAN_HOME/serving/current.duckdb at a new file. Superset opens a new
    connection per query (NullPool), and resolving the link here makes every query read the file
    that is current when it starts, independent of DuckDB's per-path instance cache, which could
    otherwise keep serving the previous file while overlapping queries hold it open.
    """
    if uri.drivername == "duckdb" and uri.database and os.path.islink(uri.database):
        uri = uri.set(database=os.path.realpath(uri.database))
    return uri, params


# Talisman sets the security headers. Everything the UI needs is served by Superset itself
# (xunpan runs offline), so the policy admits only 'self'; inline styles are required by the
# UI's CSS-in-JS, scripts carry a per-request nonce.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
        "frame-ancestors": ["'self'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": SESSION_COOKIE_SECURE,
}
CONTENT_SECURITY_POLICY_WARNING = False

# --- language ------------------------------------------------------------------------------
# Most readers are Chinese-speaking owners: Chinese first, English one click away.
BABEL_DEFAULT_LOCALE = os.environ.get("SUPERSET_DEFAULT_LOCALE", "zh")
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "us", "name": "English"},
}
CURRENCIES = ["CNY", "USD", "EUR"]

# --- features ------------------------------------------------------------------------------
# Native filters and dashboard cross-filters are always on in Superset 6 (their flags are gone);
# cross-filtering is enabled per dashboard in its json_metadata. Thumbnails and alerts/reports
# need Celery workers and a headless browser: off in the embedded default, switched on by the
# compose stack through the environment.
FEATURE_FLAGS = {
    "THUMBNAILS": _flag("SUPERSET_THUMBNAILS"),
    "ALERT_REPORTS": _flag("SUPERSET_ALERT_REPORTS"),
    "DRILL_TO_DETAIL": True,
    "DRILL_BY": True,
    "ENABLE_TEMPLATE_PROCESSING": False,
    "EMBEDDED_SUPERSET": False,
}

# --- caches --------------------------------------------------------------------------------
REDIS_HOST = os.environ.get("REDIS_HOST", "")
REDIS_PORT = int(os.environ.get("REDIS_PORT", "6379"))
REDIS_CACHE_DB = int(os.environ.get("REDIS_CACHE_DB", "1"))
CACHE_DEFAULT_TIMEOUT = int(timedelta(days=1).total_seconds())


def _cache(prefix: str, timeout: int) -> dict[str, object]:
    if REDIS_HOST:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_DEFAULT_TIMEOUT": timeout,
            "CACHE_KEY_PREFIX": f"xunpan_{prefix}_",
            "CACHE_REDIS_HOST": REDIS_HOST,
            "CACHE_REDIS_PORT": REDIS_PORT,
            "CACHE_REDIS_DB": REDIS_CACHE_DB,
        }
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DEFAULT_TIMEOUT": timeout,
        "CACHE_DIR": str(SUPERSET_STATE_DIR / "cache" / prefix),
        "CACHE_THRESHOLD": 2000,
    }


# Metadata of Superset's own objects.
CACHE_CONFIG = _cache("meta", CACHE_DEFAULT_TIMEOUT)
# Query results are not cached by default: a publish repoints the serving file, and the
# dashboards must show the new figures at the next query (the marts answer in milliseconds).
# SUPERSET_DATA_CACHE_SECONDS > 0 turns a result cache on for larger installs, at the price of
# showing the previous publish for up to that many seconds.
_DATA_CACHE_SECONDS = int(os.environ.get("SUPERSET_DATA_CACHE_SECONDS", "0"))
DATA_CACHE_CONFIG = (
    _cache("data", _DATA_CACHE_SECONDS) if _DATA_CACHE_SECONDS > 0 else {"CACHE_TYPE": "NullCache"}
)
if REDIS_HOST:
    FILTER_STATE_CACHE_CONFIG = _cache("filter_state", int(timedelta(days=90).total_seconds()))
    EXPLORE_FORM_DATA_CACHE_CONFIG = _cache("explore", int(timedelta(days=7).total_seconds()))
    RATELIMIT_STORAGE_URI = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_CACHE_DB}"
    GLOBAL_ASYNC_QUERIES_CACHE_BACKEND = _cache("async", CACHE_DEFAULT_TIMEOUT)

    class CeleryConfig:
        broker_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
        result_backend = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
        imports = ("superset.sql_lab", "superset.tasks.scheduler", "superset.tasks.thumbnails")
        worker_prefetch_multiplier = 1
        task_acks_late = False

    CELERY_CONFIG = CeleryConfig
else:
    # No broker in the embedded default: nothing may try to reach one.
    CELERY_CONFIG = None
    RATELIMIT_STORAGE_URI = "memory://"

# --- web server ----------------------------------------------------------------------------
SUPERSET_WEBSERVER_TIMEOUT = int(os.environ.get("SUPERSET_WEBSERVER_TIMEOUT", "60"))
ROW_LIMIT = 50000
SQLLAB_TIMEOUT = 60
APP_NAME = "xunpan 询盘"
LOG_LEVEL = os.environ.get("SUPERSET_LOG_LEVEL", "INFO")
