"""The `xunpan` command: what a person does by hand (run the pipeline, import files, check status).

Every entry point of the package is a sub-command here (one command tree); `make` targets call
these sub-commands rather than python one-liners.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

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
    """The business day a run started now loads (the DAG's own rule, xunpan.pipeline)."""
    from xunpan.pipeline import business_date_for

    return business_date_for(datetime.now(UTC))


def business_date_option(help_text: str):
    """`--date YYYY-MM-DD`, the business day a command is for, passed on as a date (default: yesterday)."""
    return click.option(
        "--date",
        "business_date",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        callback=lambda _ctx, _param, value: value.date() if value else _yesterday(),
        help=help_text,
    )


@main.command()
@business_date_option("Business day to load (default: yesterday in Asia/Shanghai).")
@click.option("--quiet", is_flag=True, help="Only print the outcome; the full log is in XUNPAN_HOME/logs.")
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild every day of the incremental tables, not only the days with new files (a backfill).",
)
def run(business_date: date, quiet: bool, full_refresh: bool) -> None:
    """Run the daily DAG once through Airflow: ingest -> dbt build -> quality gate -> publish."""
    from xunpan.orchestration import run_dag_once

    settings = Settings.from_env()
    day = business_date
    outcome = run_dag_once(
        settings, day, echo=not quiet, conf={"full_refresh": True} if full_refresh else None
    )
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


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the site (default: docs/site/ in the checkout, git-ignored).",
)
def docs(out: Path | None) -> None:
    """Render the dbt docs site (one page that opens offline) from the dbt project."""
    from xunpan.transform import dbt_docs

    settings = Settings.from_env()
    index = dbt_docs(settings, out or settings.repo / "docs" / "site")
    click.echo(f"dbt docs: {index}")


@main.group()
def dashboards() -> None:
    """Superset's dashboards as code: set them up, check them in a headless browser.

    `xunpan serve start|stop` starts and stops the Superset server itself.
    """


@dashboards.command("setup")
def dashboards_setup() -> None:
    """Upgrade Superset's metadata, sync roles and the admin login, import superset/assets (idempotent)."""
    from xunpan.dashboards import setup_superset

    setup_superset(Settings.from_env())
    click.echo("Superset is set up.")


@dashboards.command("check")
@click.option("--url", default=None, help="Superset to check (default: XUNPAN_SUPERSET_URL).")
@click.option(
    "--artifacts",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Screenshots and report.json (default: artifacts/superset/ in the checkout).",
)
def dashboards_check(url: str | None, artifacts: Path | None) -> None:
    """Open every dashboard in headless Chromium as the admin; exit 1 when a chart shows an error
    or no data, or a dashboard does not load."""
    from xunpan.dashboards import browser_check
    from xunpan.secrets import ensure_secrets

    settings = Settings.from_env()
    # The login comes from the generated secrets file, never from the command line (visible in ps).
    secrets = ensure_secrets(settings)
    report = browser_check(
        url or settings.superset_url,
        secrets["SUPERSET_ADMIN_USER"],
        secrets["SUPERSET_ADMIN_PASSWORD"],
        artifacts or settings.repo / "artifacts" / "superset",
    )
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@main.group()
def quality() -> None:
    """The quality gate and the Great Expectations files it runs."""


@quality.command("gate")
@business_date_option(
    "Business day the run is for, which freshness is measured against (default: yesterday)."
)
@click.option("--run-id", default=None, help="Name of the results (default: manual__<UTC time>).")
def quality_gate(business_date: date, run_id: str | None) -> None:
    """Audit the warehouse's marts as the daily run does, without publishing; exit 1 if blocked."""
    from xunpan.quality import run_quality_gate

    day = business_date
    result = run_quality_gate(
        Settings.from_env(), day, run_id or f"manual__{datetime.now(UTC):%Y%m%dT%H%M%S}"
    )
    click.echo(result.summary())
    if not result.success:
        sys.exit(1)


@quality.command("suites")
@click.option("--check", is_flag=True, help="Only report the files that differ; exit 1 if any does.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the files go (default: expectations/ in the checkout).",
)
def quality_suites(check: bool, root: Path | None) -> None:
    """Write the Great Expectations files (suites, checkpoints, config) from the data contract.

    Run it after changing quality/contract.py or quality/suites.py, and commit expectations/.
    """
    from xunpan.quality import suites

    root = (root or Settings.from_env().expectations_dir).resolve()
    if check:
        stale = suites.differences(root)
        for rel in stale:
            click.echo(f"out of date: {root / rel}", err=True)
        if stale:
            sys.exit(1)
        click.echo(f"up to date: {root}")
        return
    changed = suites.write(root)
    for rel in changed:
        click.echo(f"wrote {root / rel}")
    if not changed:
        click.echo(f"up to date: {root}")


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
