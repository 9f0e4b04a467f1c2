"""Set up, start and stop Superset from its own virtual environment.

Superset runs with `superset/superset_config.py`, its metadata in $XUNPAN_HOME/superset/ and the
generated secrets from $XUNPAN_HOME/secrets.env. Nothing here prints a secret.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from xunpan.config import Settings
from xunpan.dashboards.assets import render_bundle
from xunpan.dashboards.reports import BEAT as REPORT_BEAT
from xunpan.dashboards.reports import WORKER as REPORT_WORKER
from xunpan.dashboards.reports import beat_argv, bootstrap_spec, report_env, worker_argv
from xunpan.errors import XunpanError
from xunpan.secrets import ensure_secrets
from xunpan.services import service_pid, start_service, stop_service, wait_http

SERVICE_NAME = "superset"
BOOTSTRAP = Path(__file__).with_name("superset_bootstrap.py")
# Variables of the calling environment that would make Superset's Python load foreign packages.
_FOREIGN = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "SUPERSET_CONFIG", "FLASK_APP")


def superset_config_path(settings: Settings) -> Path:
    return settings.repo / "superset" / "superset_config.py"


def superset_env(settings: Settings) -> dict[str, str]:
    """Environment for every Superset process: config path, secret key, state folder.

    The admin password is not part of it; only the setup step receives it.
    """
    secrets = ensure_secrets(settings)
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN}
    venv = settings.venvs / "superset"
    env.update(
        {
            "SUPERSET_CONFIG_PATH": str(superset_config_path(settings)),
            "SUPERSET_SECRET_KEY": secrets["SUPERSET_SECRET_KEY"],
            "SUPERSET_HOME": str(settings.superset_home),
            # Superset's process cannot import xunpan.config at start-up (superset_config.py and
            # superset_bootstrap.py run in Superset's venv): it gets the validated settings it
            # reads (README "Configuration") from here.
            "XUNPAN_HOME": str(settings.home),
            "XUNPAN_COMPANIES": ",".join(settings.companies),
            "XUNPAN_QUERY_TIMEOUT_SECONDS": str(settings.query_timeout_seconds),
            "XUNPAN_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
            "XUNPAN_DUCKDB_THREADS": str(settings.duckdb_threads),
            "VIRTUAL_ENV": str(venv),
            "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "FLASK_APP": "superset.app:create_app()",
            # Superset's CLI and server stay quiet about their own telemetry.
            "SCARF_ANALYTICS": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def superset_server_argv(settings: Settings, port: int, host: str = "127.0.0.1") -> list[str]:
    """The web server: gunicorn with two workers of four threads each (the machine has two cores)."""
    return [
        str(settings.venv_bin("superset", "gunicorn")),
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(settings.superset_workers),
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--limit-request-line",
        "0",
        "--limit-request-field_size",
        "0",
        "superset.app:create_app()",
    ]


def _check_environment(settings: Settings) -> None:
    python = settings.venv_bin("superset", "python")
    if not python.exists():
        raise XunpanError(
            f"{python} is missing: build the Superset environment first "
            "(uv venv .venvs/superset && VIRTUAL_ENV=.venvs/superset uv pip sync requirements/superset.lock)"
        )


def roles_file(settings: Settings) -> Path:
    """Roles as code: superset/roles.yaml, next to the assets."""
    return settings.repo / "superset" / "roles.yaml"


def run_bootstrap(
    settings: Settings, args: list[str], extra_env: dict[str, str] | None = None, what: str = "setup"
) -> str:
    """Run superset_bootstrap.py with `args` in the Superset environment; returns its output.

    Secrets travel in `extra_env`, never in argv. The output (which never contains a secret) is
    appended to logs/superset-setup.log.
    """
    _check_environment(settings)
    settings.superset_home.mkdir(parents=True, exist_ok=True)
    settings.logs.mkdir(parents=True, exist_ok=True)
    env = superset_env(settings)
    env.update(extra_env or {})
    log_path = settings.logs / "superset-setup.log"
    started = time.monotonic()
    result = subprocess.run(
        [str(settings.venv_bin("superset", "python")), str(BOOTSTRAP), *args],
        env=env,
        cwd=settings.superset_home,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
    )
    output = result.stdout.decode("utf-8", errors="replace")
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"\n=== superset {what} {time.strftime('%Y-%m-%d %H:%M:%S')}\n{output}")
        log.write(f"=== exit {result.returncode} after {time.monotonic() - started:.1f} s\n")
    if result.returncode != 0:
        tail = output.splitlines()[-25:]
        raise XunpanError(
            f"Superset {what} failed (exit {result.returncode}); see {log_path}:\n" + "\n".join(tail)
        )
    return output


def setup_superset(settings: Settings) -> None:
    """Prepare Superset's metadata; safe to run any number of times.

    Upgrades the metadata database, syncs roles (`superset init`), creates the admin user or resets
    its password to the generated one, imports superset/assets/ with overwrite (the database
    URI pointing at the published serving file), then creates or updates the roles of
    superset/roles.yaml and, per company found under serving/companies/, its role, row-level
    security filter and serving database. The output goes to logs/superset-setup.log.
    """
    secrets = ensure_secrets(settings)
    env = {
        "XUNPAN_SUPERSET_ADMIN_USER": secrets["SUPERSET_ADMIN_USER"],
        "XUNPAN_SUPERSET_ADMIN_PASSWORD": secrets["SUPERSET_ADMIN_PASSWORD"],
    }
    # The report schedules of superset/reports.yaml, with the addresses of XUNPAN_REPORT_EMAIL_TO.
    env["XUNPAN_REPORTS"] = bootstrap_spec(settings)
    with tempfile.TemporaryDirectory(prefix="xunpan-assets-") as tmp:
        bundle = render_bundle(settings, Path(tmp) / "xunpan_assets.zip")
        run_bootstrap(settings, ["setup", str(bundle), str(roles_file(settings))], env)


def sync_report_schedules(settings: Settings, reports: Path | None = None) -> str:
    """Create or update the report schedules alone (setup does it too); returns the setup output."""
    return run_bootstrap(
        settings,
        ["sync-reports", str(roles_file(settings))],
        {"XUNPAN_REPORTS": bootstrap_spec(settings, reports)},
        what="reports",
    )


def superset_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}"


def start_superset(settings: Settings, port: int | None = None, timeout: float = 180.0) -> str:
    """Start the web server, and the reports' Celery worker and beat, in the background (those not
    running yet), and wait for /health. `port` defaults to XUNPAN_SUPERSET_PORT."""
    port = port or settings.superset_port
    _check_environment(settings)
    settings.superset_home.mkdir(parents=True, exist_ok=True)
    start_service(
        settings,
        SERVICE_NAME,
        superset_server_argv(settings, port),
        {**superset_env(settings), **report_env(settings, port)},
        cwd=settings.superset_home,
    )
    start_report_services(settings, port)
    url = superset_url(port)
    try:
        wait_http(f"{url}/health", timeout=timeout)
    except XunpanError as exc:
        if service_pid(settings, SERVICE_NAME) is None:
            raise XunpanError(
                f"Superset exited while starting; see {settings.logs / 'superset.log'}"
            ) from exc
        raise
    return url


def start_report_services(settings: Settings, port: int | None = None) -> None:
    """The Celery worker and beat of the scheduled reports (xunpan.dashboards.reports).

    The screenshots are taken from the web server at `port` (default XUNPAN_SUPERSET_PORT); SMTP
    comes from the settings.
    """
    port = port or settings.superset_port
    env = {**superset_env(settings), **report_env(settings, port)}
    start_service(settings, REPORT_WORKER, worker_argv(settings), env, cwd=settings.superset_home)
    start_service(settings, REPORT_BEAT, beat_argv(settings), env, cwd=settings.superset_home)


def stop_report_services(settings: Settings) -> list[str]:
    """Stop the beat first (nothing new is queued), then the worker; returns the names stopped."""
    return [name for name in (REPORT_BEAT, REPORT_WORKER) if stop_service(settings, name)]


def stop_superset(settings: Settings) -> bool:
    """Stop the web server and all its workers, and the reports' worker and beat; False if the web
    server was not running."""
    stop_report_services(settings)
    return stop_service(settings, SERVICE_NAME)
