"""`xunpan serve start|stop|status [airflow|superset]`: the Airflow UI and Superset in the background.

The one way to start and stop the servers, both (`make demo`, `make stop`) or one by name.
"""

from __future__ import annotations

import sys

import click

from xunpan.config import Settings
from xunpan.services import group_listeners, service_pid, start_service, stop_service, wait_http

AIRFLOW = "airflow"
SUPERSET = "superset"
SERVICES = (AIRFLOW, SUPERSET)


def airflow_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.airflow_port}"


def superset_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.superset_port}"


def start_all(settings: Settings, show_credentials: bool, services: tuple[str, ...] = SERVICES) -> None:
    """Start Airflow (standalone) and Superset, or those of them named, if not running, and wait
    until each answers."""
    from xunpan.dashboards import setup_superset, start_superset
    from xunpan.orchestration import airflow_env, ensure_airflow_db, standalone_argv
    from xunpan.secrets import ensure_secrets

    settings.ensure_dirs()
    secrets = ensure_secrets(settings)
    if AIRFLOW in services:
        ensure_airflow_db(settings)
        start_service(settings, AIRFLOW, standalone_argv(settings), airflow_env(settings), cwd=settings.home)
    if SUPERSET in services:
        # The serving file need not exist yet: charts show their error until the first publish,
        # and pick up every later publish without a restart.
        setup_superset(settings)
        start_superset(settings, settings.superset_port)
    if AIRFLOW in services:
        wait_http(
            f"{airflow_url(settings)}/api/v2/monitor/health", timeout=240, settings=settings, name=AIRFLOW
        )
        click.echo(
            f"Airflow UI : {airflow_url(settings)}   (health: {airflow_url(settings)}/api/v2/monitor/health)"
        )
    if SUPERSET in services:
        wait_http(f"{superset_url(settings)}/health", timeout=240)
        click.echo(f"Superset   : {superset_url(settings)}   (health: {superset_url(settings)}/health)")
    if show_credentials:
        # The one place a password is shown: the terminal of the person who ran `make demo`.
        if AIRFLOW in services:
            click.echo(
                f"Airflow login : {secrets['AIRFLOW_ADMIN_USER']} / {secrets['AIRFLOW_ADMIN_PASSWORD']}"
            )
        if SUPERSET in services:
            click.echo(
                f"Superset login: {secrets['SUPERSET_ADMIN_USER']} / {secrets['SUPERSET_ADMIN_PASSWORD']}"
            )
        click.echo(f"(kept in {settings.secrets_file}; `make stop` stops the servers)")
        if SUPERSET in services:
            from xunpan.dashboards.users import demo_logins

            # Per-company logins (superset/roles.yaml): new passwords at each start, shown only
            # here and stored nowhere.
            for user in demo_logins(settings):
                scope = f"owner of {user.company}" if user.company else user.role
                click.echo(f"Superset login: {user.username} / {user.password}   ({scope}; not stored)")


def stop_all(settings: Settings, services: tuple[str, ...] = SERVICES) -> list[str]:
    """Stop every server this installation started (or those named); returns the names stopped."""
    from xunpan.dashboards import stop_superset

    stopped = []
    if AIRFLOW in services and stop_service(settings, AIRFLOW):
        stopped.append(AIRFLOW)
    # Superset's web server, with the reports' Celery worker and beat.
    if SUPERSET in services and stop_superset(settings):
        stopped.append(SUPERSET)
    return stopped


def running(settings: Settings) -> dict[str, int | None]:
    return {name: service_pid(settings, name) for name in SERVICES}


@click.group("serve")
def serve_command() -> None:
    """Start, stop or show the background Airflow and Superset servers."""


_SERVICE_NAMES = click.argument("services", nargs=-1, type=click.Choice(SERVICES))


@serve_command.command("start")
@_SERVICE_NAMES
@click.option("--show-credentials", is_flag=True, help="Print the generated logins (make demo does).")
def _start(services: tuple[str, ...], show_credentials: bool) -> None:
    """Start the servers named (default: both) in the background and wait until they answer."""
    start_all(Settings.from_env(), show_credentials, services or SERVICES)


@serve_command.command("stop")
@_SERVICE_NAMES
def _stop(services: tuple[str, ...]) -> None:
    """Stop the servers named (default: both) and every process they started."""
    stopped = stop_all(Settings.from_env(), services or SERVICES)
    click.echo("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))


@serve_command.command("status")
def _status() -> None:
    """Say which servers run and every address each listens on; exit 3 when none runs."""
    states = running(Settings.from_env())
    for name, pid in states.items():
        click.echo(f"{name:9} {'running (pid ' + str(pid) + ')' if pid else 'stopped'}")
        if pid:
            # The demo must serve nothing beyond this machine: show every address it listens on.
            addresses = sorted(
                {f"{a}:{port}" if ":" not in a else f"[{a}]:{port}" for a, port, _ in group_listeners(pid)}
            )
            click.echo(f"{'':9} listening on {', '.join(addresses) or 'nothing yet'}")
    if not any(states.values()):
        sys.exit(3)
