"""Superset configuration for xunpan, read entirely from the environment.

Superset loads this file through SUPERSET_CONFIG_PATH (set by `xunpan.dashboards.superset_env`).
The embedded default keeps its metadata in SQLite under $XUNPAN_HOME/superset/ and caches on the
local disk; the compose stack sets SUPERSET_DATABASE_URI (Postgres) and REDIS_HOST instead.

Nothing secret is written to the log: the values below are read, never printed.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote


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
PREVENT_UNSAFE_DB_CONNECTIONS = True  # refuses SQLite and shillelagh when a database is saved
# Adhoc metrics and filters in charts may not carry subqueries (Superset's default, kept on
# purpose): a subquery could read rows the row-level security filter of the dataset hides.
# RLS_IN_SQLLAB stays off: company analysts get their own company's serving file instead.


# --- the serving databases: the only connections Superset may open ---------------------------
# Superset reads exactly these DuckDB files, never anything else:
#   $XUNPAN_HOME/serving/current.duckdb                      every company (provider, admin)
#   $XUNPAN_HOME/serving/companies/<company>/current.duckdb  one company (its analysts' SQL Lab)
# Every connection is opened here, read-only, whatever the database's "extra" says, and then
# sealed: no file system, no extensions, configuration locked. An Admin cannot loosen it from
# the UI or the API; only this file (deployed with the server) can.
SERVING_DIR = XUNPAN_HOME / "serving"
COMPANY_SLUG = r"[a-z0-9][a-z0-9_-]{0,62}"
_SERVING_URI_PATH = re.compile(
    rf"^{re.escape(str(SERVING_DIR))}/(?:current\.duckdb|companies/(?P<company>{COMPANY_SLUG})/current\.duckdb)$"
)
DUCKDB_MEMORY_LIMIT = os.environ.get("XUNPAN_DUCKDB_MEMORY_LIMIT", "1GB")
DUCKDB_THREADS = int(os.environ.get("XUNPAN_DUCKDB_THREADS", "2"))
# Spilling is impossible once the local file system is disabled (below), so a query larger
# than memory_limit fails instead of filling a disk. The folder is still set, and private to
# Superset's state, so that DuckDB never picks a default ".tmp/" next to the serving file.
DUCKDB_TEMP_DIR = SUPERSET_STATE_DIR / "duckdb_tmp"
# Every statement on a serving file is interrupted after this many seconds. Superset's own
# SQLLAB_TIMEOUT uses SIGALRM, which only works in a process's main thread; the gthread
# gunicorn workers of `xunpan.dashboards.server` run requests in other threads, where Superset
# only logs "timeout can't be used in the current context". The DuckDB-side interrupt below is
# what really stops a query, for SQL Lab and charts alike.
QUERY_TIMEOUT_SECONDS = int(os.environ.get("XUNPAN_QUERY_TIMEOUT_SECONDS", "60"))
# Roles that may run SQL Lab on the all-company file (see superset/roles.yaml).
ALL_COMPANY_SQL_ROLES = {"Admin", "xunpan_provider_analyst"}


class UnsafeDatabaseError(ValueError):
    """A database URI other than one of the serving files."""


def serving_company(uri) -> str:
    """'' for the all-company serving file, the company id for a company's file; else refuse.

    The URI must be exactly `duckdb:///<serving path>`: no host, user, password, port or query
    parameters (duckdb-engine turns query parameters into DuckDB settings).
    """
    database = uri.database or ""
    if (
        uri.drivername != "duckdb"
        or uri.username
        or uri.password
        or uri.host
        or uri.port
        or uri.query
        or os.path.normpath(database) != database
    ):
        raise UnsafeDatabaseError(
            f"xunpan: refused database {uri.drivername}:///{database or ''}: Superset may only open the "
            f"published serving DuckDB files under {SERVING_DIR} (duckdb:///{SERVING_DIR}/current.duckdb "
            "or .../companies/<company>/current.duckdb), without options"
        )
    match = _SERVING_URI_PATH.match(database)
    if match is None:
        raise UnsafeDatabaseError(
            f"xunpan: refused database duckdb:///{database}: Superset may only open the published "
            f"serving files under {SERVING_DIR} (current.duckdb or companies/<company>/current.duckdb)"
        )
    real = os.path.realpath(database)
    if not real.startswith(str(SERVING_DIR.resolve()) + os.sep):
        raise UnsafeDatabaseError(
            f"xunpan: refused database duckdb:///{database}: it points outside {SERVING_DIR}"
        )
    return match.group("company") or ""


# Checked by Superset for every engine it creates, test connections included.
DB_SQLA_URI_VALIDATOR = serving_company


def _seal(con) -> None:
    """Disable DuckDB's local file system and lock the configuration, once per database instance.

    `enable_external_access=false` alone still lets SQL write the files DuckDB considers its own
    (`COPY (...) TO '<serving>.wal'` succeeds), and `allowed_paths` cannot be emptied. Disabling
    the LocalFileSystem after the file is open closes that: the open file keeps being read through
    its handle, while COPY, ATTACH, read_csv, INSTALL and spilling fail. Connections of one
    process to the same file share one DuckDB instance; a later one finds it already sealed.
    """
    if con.execute("select current_setting('lock_configuration')").fetchone()[0]:
        return
    try:
        con.execute("set disabled_filesystems = 'LocalFileSystem'")
        con.execute("set lock_configuration = true")
    except Exception:
        # Another thread sealed the shared instance between the check and the SET.
        if not con.execute("select current_setting('lock_configuration')").fetchone()[0]:
            raise


def _open_serving(path: str):
    import duckdb
    from duckdb_engine import ConnectionWrapper, CursorWrapper

    DUCKDB_TEMP_DIR.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        path,
        read_only=True,
        config={
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "memory_limit": DUCKDB_MEMORY_LIMIT,
            "threads": DUCKDB_THREADS,
            "temp_directory": str(DUCKDB_TEMP_DIR),
        },
    )
    try:
        _seal(con)
    except Exception:
        con.close()
        raise

    class _TimedCursor(CursorWrapper):
        def execute(self, statement, parameters=None, context=None):
            timer = threading.Timer(QUERY_TIMEOUT_SECONDS, con.interrupt)
            timer.daemon = True
            timer.start()
            try:
                return super().execute(statement, parameters, context)
            except Exception as exc:
                if "INTERRUPT" in str(exc).upper() and not timer.is_alive():
                    raise RuntimeError(
                        f"xunpan: the query was stopped after {QUERY_TIMEOUT_SECONDS} s "
                        "(XUNPAN_QUERY_TIMEOUT_SECONDS)"
                    ) from exc
                raise
            finally:
                timer.cancel()

    class _TimedConnection(ConnectionWrapper):
        def cursor(self):
            return _TimedCursor(con, self)

    return _TimedConnection(con)


def _user_roles(security_manager, username) -> set[str]:
    user = security_manager.find_user(username=username) if username else None
    return {role.name for role in user.roles} if user else set()


def DB_CONNECTION_MUTATOR(uri, params, username, security_manager, source):
    """Open only the serving files, read-only and sealed, and check SQL Lab's company.

    Publishing repoints current.duckdb at a new file; resolving the link here makes every query
    read the file that is current when it starts (Superset opens a connection per query),
    independent of DuckDB's per-path instance cache. Whatever engine parameters the database
    carries are dropped: the connection is always opened by `_open_serving`.

    SQL Lab cannot be filtered by row-level security, so the all-company file is open to SQL Lab
    only for the provider analyst and Admin roles, and a company's file only to its own company
    role (Superset's database_access grants the same; this is the second lock).
    """
    company = serving_company(uri)
    if getattr(source, "name", None) == "SQL_LAB":
        roles = _user_roles(security_manager, username)
        allowed = bool(roles & ALL_COMPANY_SQL_ROLES) or (company and f"xunpan_company_{company}" in roles)
        if not allowed:
            target = (
                f"company {company!r}'s serving database" if company else "the all-company serving database"
            )
            raise UnsafeDatabaseError(
                f"xunpan: SQL Lab on {target} is not open to user {username!r}; a company's analysts "
                "query their own company's database (xunpan_serving_<company>)"
            )
    real = os.path.realpath(uri.database)
    engine_params = {"poolclass": params["poolclass"]} if "poolclass" in params else {}
    engine_params["creator"] = functools.partial(_open_serving, real)
    return uri.set(database=real), engine_params


# Databases are defined in superset/assets and created by `xunpan` setup, never through the API:
# an Admin cannot add, edit, delete or import a database (which is how a second DuckDB, an
# in-memory one or SQLite would arrive). Test connection stays open and is refused by the URI check.
_FORBIDDEN_API_WRITES = [
    ("POST", re.compile(r"^/api/v1/database/?$")),
    ("POST", re.compile(r"^/api/v1/database/import/?$")),
    ("PUT", re.compile(r"^/api/v1/database/\d+/?$")),
    ("DELETE", re.compile(r"^/api/v1/database/\d+/?$")),
    ("POST", re.compile(r"^/api/v1/database/\d+/ssh_tunnel/?")),
    ("DELETE", re.compile(r"^/api/v1/database/\d+/ssh_tunnel/?")),
    ("POST", re.compile(r"^/api/v1/database/\d+/upload/?")),
    ("POST", re.compile(r"^/api/v1/assets/import/?$")),
]


def FLASK_APP_MUTATOR(app) -> None:
    from flask import jsonify, request

    @app.before_request
    def _refuse_database_writes():
        for method, pattern in _FORBIDDEN_API_WRITES:
            if request.method == method and pattern.match(request.path):
                response = jsonify(
                    message="xunpan: databases and assets are defined in the repository (superset/assets) "
                    "and created at setup; they cannot be added or changed through Superset"
                )
                response.status_code = 403
                return response
        return None


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
# The compose stack's Redis requires a password; it reaches URLs percent-encoded.
REDIS_PASSWORD = os.environ.get("REDIS_PASSWORD", "")
_REDIS_AUTH = f":{quote(REDIS_PASSWORD, safe='')}@" if REDIS_PASSWORD else ""
_REDIS_URL = f"redis://{_REDIS_AUTH}{REDIS_HOST}:{REDIS_PORT}"
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
            "CACHE_REDIS_PASSWORD": REDIS_PASSWORD or None,
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
    RATELIMIT_STORAGE_URI = f"{_REDIS_URL}/{REDIS_CACHE_DB}"
    GLOBAL_ASYNC_QUERIES_CACHE_BACKEND = _cache("async", CACHE_DEFAULT_TIMEOUT)

    class CeleryConfig:
        broker_url = f"{_REDIS_URL}/0"
        result_backend = f"{_REDIS_URL}/0"
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
SQLLAB_TIMEOUT = QUERY_TIMEOUT_SECONDS
APP_NAME = "xunpan 询盘"
LOG_LEVEL = os.environ.get("SUPERSET_LOG_LEVEL", "INFO")

# --- the weekly report: Alerts & Reports, its Celery worker and beat --------------------------
# `xunpan serve start` (and so `make demo`) starts a Celery worker and beat beside the web server
# with SUPERSET_ALERT_REPORTS=true; superset/reports.yaml defines the schedules, created at setup.
# The embedded default has no Redis: the broker is kombu's SQLAlchemy transport and the results
# go to a SQLite file, both in Superset's state folder. The compose stack keeps Redis (above).
if FEATURE_FLAGS["ALERT_REPORTS"]:
    from celery.schedules import crontab

    # Screenshots through Playwright, driving Debian's chromium (the browser the tests use);
    # Superset's Selenium path would need a chromedriver, which is not installed.
    FEATURE_FLAGS["PLAYWRIGHT_REPORTS_AND_THUMBNAILS"] = True
    XUNPAN_CHROMIUM = os.environ.get("SUPERSET_CHROMIUM", "/usr/bin/chromium")

    def _use_system_chromium() -> None:
        """Make Playwright's Chromium launches use XUNPAN_CHROMIUM (Superset passes no path)."""
        try:
            from playwright.sync_api._generated import BrowserType
        except ImportError:
            return
        if getattr(BrowserType.launch, "_xunpan", False):
            return
        original = BrowserType.launch

        @functools.wraps(original)
        def launch(self, *args, **kwargs):
            if self.name == "chromium" and not kwargs.get("executable_path"):
                kwargs["executable_path"] = XUNPAN_CHROMIUM
            return original(self, *args, **kwargs)

        launch._xunpan = True
        BrowserType.launch = launch

    _use_system_chromium()

    def _authenticate_browser(context, user):
        """Log the report's browser in as `user` with the session cookie alone.

        Superset's own way first opens /login/, then replaces the cookies; the login page's own
        requests, still running, can answer after that with an anonymous session cookie for
        the host, which the browser then sends first. The dashboard redirects to the login page
        and the screenshot times out (seen on CI: the owner was mailed an error instead of the
        overview). Setting the cookie for the base URL before any page is opened has no race.
        """
        from superset.extensions import machine_auth_provider_factory

        cookies = machine_auth_provider_factory.instance.get_auth_cookies(user)
        base = WEBDRIVER_BASEURL.rstrip("/") + "/"
        if hasattr(context, "add_cookies"):  # Playwright's BrowserContext
            context.clear_cookies()
            context.add_cookies(
                [
                    {"name": name, "value": value, "url": base, "sameSite": "Lax", "httpOnly": True}
                    for name, value in cookies.items()
                ]
            )
            return context
        context.get(base + "login/")  # Selenium sets cookies only for the page it is on
        for name, value in cookies.items():
            context.add_cookie({"name": name, "value": value})
        return context

    WEBDRIVER_AUTH_FUNC = _authenticate_browser
    WEBDRIVER_TYPE = "chrome"
    WEBDRIVER_OPTION_ARGS = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    # The browser logs in as the report's executor against this server (loopback in the demo).
    WEBDRIVER_BASEURL = os.environ.get("SUPERSET_WEBDRIVER_BASEURL", "http://127.0.0.1:8088/")
    WEBDRIVER_BASEURL_USER_FRIENDLY = os.environ.get("SUPERSET_PUBLIC_URL", WEBDRIVER_BASEURL)
    # One screen of the overview at a laptop's width, rendered fully before the shot: a PNG taken
    # while charts still load is delivered blank, without an error (a known 6.x pitfall).
    WEBDRIVER_WINDOW = {"dashboard": (1366, 2000), "slice": (1366, 800), "pixel_density": 1}
    # Superset waits for the chart containers present when it looks; a dashboard that has not yet
    # inserted them (a busy machine) passes at once and is shot blank. Give the page time first.
    SCREENSHOT_SELENIUM_HEADSTART = 20
    SCREENSHOT_SELENIUM_ANIMATION_WAIT = 5
    SCREENSHOT_PLAYWRIGHT_WAIT_EVENT = "load"
    SCREENSHOT_LOAD_WAIT = 120
    # Every step of the screenshot (finding the dashboard, its charts) may take this long: Superset's
    # 60 s was not enough on a 2-core machine with the browser, the worker and the server busy at
    # once, and a timed-out shot mails the report's owner an error instead of the overview.
    SCREENSHOT_PLAYWRIGHT_DEFAULT_TIMEOUT = 180_000

    # Sending is off until SMTP is configured (XUNPAN_SMTP_HOST, handed over by xunpan as
    # SUPERSET_SMTP_*): until then every report is a dry run, logged instead of sent. Superset's
    # own default is to send, to localhost:25, with the certificate unchecked.
    SMTP_HOST = os.environ.get("SUPERSET_SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SUPERSET_SMTP_PORT") or 25)
    SMTP_USER = os.environ.get("SUPERSET_SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SUPERSET_SMTP_PASSWORD", "")
    SMTP_STARTTLS = _flag("SUPERSET_SMTP_STARTTLS")
    SMTP_SSL = _flag("SUPERSET_SMTP_SSL")
    SMTP_SSL_SERVER_AUTH = True  # TLS always verifies the server (SSL_CERT_FILE for a private CA)
    SMTP_MAIL_FROM = os.environ.get("SUPERSET_SMTP_MAIL_FROM") or "xunpan@localhost"
    ALERT_REPORTS_NOTIFICATION_DRY_RUN = not SMTP_HOST
    EMAIL_REPORTS_SUBJECT_PREFIX = "xunpan"  # Superset puts a space after it
    EMAIL_REPORTS_CTA = "在 Superset 中打开 Open in Superset"

    _REPORT_BEAT = {
        "reports.scheduler": {"task": "reports.scheduler", "schedule": crontab(minute="*", hour="*")},
        "reports.prune_log": {"task": "reports.prune_log", "schedule": crontab(minute=0, hour=0)},
    }
    from celery.signals import task_prerun

    def _eta_as_datetime(task=None, **_kwargs) -> None:
        """reports.execute logs its run with Celery's `eta`, which arrives as ISO text; SQLite's
        DateTime column (the embedded metadata) refuses text, Postgres casts it. Hand it a datetime."""
        from datetime import UTC, datetime

        eta = getattr(getattr(task, "request", None), "eta", None)
        if isinstance(eta, str):
            parsed = datetime.fromisoformat(eta)
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
            task.request.eta = parsed

    task_prerun.connect(_eta_as_datetime, weak=False)

    if CELERY_CONFIG is None:

        class CeleryConfig:  # the embedded default's broker, without Redis
            broker_url = f"sqla+sqlite:///{SUPERSET_STATE_DIR / 'celery-broker.db'}"
            result_backend = f"db+sqlite:///{SUPERSET_STATE_DIR / 'celery-results.db'}"
            imports = ("superset.sql_lab", "superset.tasks.scheduler")
            worker_prefetch_multiplier = 1
            task_acks_late = False
            broker_connection_retry_on_startup = True
            beat_schedule = _REPORT_BEAT

        CELERY_CONFIG = CeleryConfig
    else:
        CELERY_CONFIG.beat_schedule = _REPORT_BEAT

    def _weekly_summary_html(header_data: dict) -> str | None:
        """The four summary lines for the company whose report user owns the schedule."""
        import html
        import importlib
        import sys

        companies = {
            role.name[len("xunpan_company_") :]
            for owner in header_data.get("owners") or []
            for role in getattr(owner, "roles", [])
            if role.name.startswith("xunpan_company_")
        }
        if len(companies) != 1:
            return None
        (company,) = companies
        source = Path(__file__).resolve().parents[1] / "src"
        if str(source) not in sys.path:
            sys.path.append(str(source))  # xunpan's stdlib-only modules; the package is not installed here
        summary_module = importlib.import_module("xunpan.weekly_summary")
        serving = SERVING_DIR / "companies" / company / "current.duckdb"
        if not serving.exists():
            serving = SERVING_DIR / "current.duckdb"
        summary = summary_module.weekly_summary(serving, company)
        try:
            notify = importlib.import_module("xunpan.notify")
            notify.send_weekly_summary(summary.text(), company)
        except Exception:  # the webhook must not stop the e-mail
            import logging

            logging.getLogger(__name__).exception("xunpan: weekly summary webhook failed")
        lines = "<br>".join(html.escape(line) for line in summary.lines())
        return f'<div class="xunpan-weekly-summary" style="font-size:15px;margin:0 0 12px">{lines}</div>'

    # Alerts run their own SQL on a serving database, where row-level security does not apply
    # (like SQL Lab): an owner allowed to subscribe to reports could probe other companies' rows
    # through an alert's condition. xunpan offers reports only; alerts are refused through the API
    # for everyone, and report schedules may not carry SQL or a database.
    _REPORT_API = re.compile(r"^/api/v1/report/?(?:\d+/?)?$")
    _base_app_mutator = FLASK_APP_MUTATOR

    def FLASK_APP_MUTATOR(app) -> None:  # extends the database guard above
        from flask import jsonify, request

        _base_app_mutator(app)

        @app.before_request
        def _refuse_alerts():
            if request.method not in ("POST", "PUT") or not _REPORT_API.match(request.path):
                return None
            body = request.get_json(silent=True) or {}
            if body.get("type") == "Alert" or body.get("sql") or body.get("database"):
                response = jsonify(
                    message="xunpan: alerts (SQL conditions on a database) are not offered: they would "
                    "bypass row-level security; schedule a report of a dashboard or chart instead"
                )
                response.status_code = 403
                return response
            return None

    # A screenshot with fewer colours than this is blank (taken before the charts drew, or of an
    # error page): the report fails instead of mailing it.
    REPORT_MIN_COLOURS = 16

    class BlankScreenshotError(RuntimeError):
        """Superset would mail a blank PNG without an error (a known 6.x pitfall)."""

    def _refuse_blank_images(msg) -> None:
        import io

        from PIL import Image

        for part in msg.walk():
            if part.get_content_maintype() != "image":
                continue
            with Image.open(io.BytesIO(part.get_payload(decode=True))) as image:
                colours = image.convert("RGB").getcolors(maxcolors=REPORT_MIN_COLOURS)
            if colours is not None:  # None: more colours than the limit
                raise BlankScreenshotError(
                    f"xunpan: the report's screenshot has only {len(colours)} colour(s); it is blank "
                    "(the dashboard had not drawn or showed an error), so it is not sent"
                )

    def EMAIL_HEADER_MUTATOR(msg, **header_data):  # Superset's name for this hook
        """Refuse a blank screenshot; put the four-line summary at the top of the weekly report."""
        from email.mime.text import MIMEText

        # Raising here fails the send: Superset logs the report as failed and tells its owners.
        _refuse_blank_images(msg)
        try:
            summary = _weekly_summary_html(header_data)
        except Exception:  # no summary is better than no report
            import logging

            logging.getLogger(__name__).exception("xunpan: weekly summary not added")
            return msg
        if not summary:
            return msg
        parts = msg.get_payload()
        for index, part in enumerate(parts):
            if part.get_content_type() == "text/html":
                body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                marker = "<body>"
                body = body.replace(marker, marker + summary, 1) if marker in body else summary + body
                parts[index] = MIMEText(body, "html", "utf-8")
                break
        return msg
