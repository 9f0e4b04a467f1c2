"""The `xunpan` command: what a person does by hand (run the pipeline, import files, check status)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta

import click

from xunpan.config import Settings
from xunpan.errors import XunpanError


class _Main(click.Group):
    """Prints XunpanError messages without a traceback: they already say what is wrong and where."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except XunpanError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Main)
@click.version_option(package_name="xunpan")
def main() -> None:
    """xunpan (询盘): inquiry funnel, channel cost per inquiry and product margin warehouse."""


def _yesterday() -> date:
    from xunpan.pipeline import BUSINESS_TZ

    return datetime.now(BUSINESS_TZ).date() - timedelta(days=1)


@main.command()
@click.option(
    "--date",
    "business_date",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Business day to load (default: yesterday in Asia/Shanghai).",
)
@click.option("--quiet", is_flag=True, help="Only print the outcome; the full log is in XUNPAN_HOME/logs.")
def run(business_date: datetime | None, quiet: bool) -> None:
    """Run the daily DAG once through Airflow: ingest -> dbt build -> quality gate -> publish."""
    from xunpan.orchestration import run_dag_once

    settings = Settings.from_env()
    day = business_date.date() if business_date else _yesterday()
    outcome = run_dag_once(settings, day, echo=not quiet)
    from xunpan.status import describe_steps

    for line in describe_steps(settings, outcome.run_id):
        click.echo(line)
    click.echo(f"xunpan_daily for {day}: {outcome.state} (run {outcome.run_id}); log: {outcome.log_file}")
    if not outcome.ok:
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(as_json: bool) -> None:
    """Show the last runs, what is published and where, and what waits in the inbox."""
    from xunpan.status import collect_status, format_status

    report = collect_status(Settings.from_env())
    click.echo(
        json.dumps(report, ensure_ascii=False, indent=2, default=str) if as_json else format_status(report)
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--for-tests", is_flag=True, help="Only what `make test` needs beyond the lock files.")
def doctor(as_json: bool, for_tests: bool) -> None:
    """Check the installation and say what is missing."""
    from xunpan.doctor import format_checks, run_checks, test_prerequisites

    checks = test_prerequisites() if for_tests else run_checks(Settings.from_env())
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=2))
    else:
        click.echo(format_checks(checks))
    if any(c.status == "fail" for c in checks):
        sys.exit(1)


@main.command("secrets")
def secrets_command() -> None:
    """Generate the secrets file if missing (the compose stack reads it); prints only its path."""
    from xunpan.secrets import ensure_secrets

    settings = Settings.from_env()
    ensure_secrets(settings)
    click.echo(str(settings.secrets_file))


def _register_optional() -> None:
    """Sub-commands owned by other modules (importers, demo data, services, benchmarks)."""
    from xunpan.bench import bench_command
    from xunpan.dashboards.users import users_command
    from xunpan.demo.cli import demo_command
    from xunpan.landing_cli import import_command, inbox_command, layouts_command
    from xunpan.serve import serve_command

    for command in (
        import_command,
        inbox_command,
        layouts_command,
        demo_command,
        serve_command,
        users_command,
        bench_command,
    ):
        main.add_command(command)


_register_optional()
