"""`xunpan import` and `xunpan inbox`: the commands a person uses to hand files to the pipeline.

The lead registers them in xunpan.cli with `from xunpan.landing_cli import import_command, inbox_command`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.landing import format_overview, import_files, inbox_overview, validate_company_id
from xunpan.sources import KINDS


def _company_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--company names a folder under the inbox: only a company id (no dots, slashes, capitals)."""
    if value is None:
        return None
    try:
        return validate_company_id(value)
    except XunpanError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default=None,
    help="Only accept files of this input kind (the layout is still read from the header).",
)
@click.option(
    "--company",
    default=None,
    callback=_company_option,
    help="Company id the files belong to (a-z, 0-9, _ and -); they go to inbox/<company>/ "
    "(default: XUNPAN_COMPANY_ID).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def import_command(files: tuple[Path, ...], kind: str | None, company: str | None, as_json: bool) -> None:
    """Check export files and place the good ones in the inbox for the next pipeline run.

    Prints what each file was recognised as (kind, layout, date range, rows, totals), or exactly
    which rows and columns are wrong. Exits with code 1 if any file was rejected.
    """
    settings = Settings.from_env()
    results = import_files(settings, list(files), kind=kind, company=company)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            click.echo(result.describe(), err=not result.accepted)
    rejected = sum(1 for r in results if not r.accepted)
    if rejected:
        if not as_json:
            click.echo(
                f"{rejected} of {len(results)} file(s) rejected; nothing of them was placed in the inbox",
                err=True,
            )
        raise SystemExit(1)


@click.command("inbox")
@click.option("--json", "as_json", is_flag=True, help="Print the overview as JSON.")
def inbox_command(as_json: bool) -> None:
    """Show what waits in the inbox, what was loaded, and what was quarantined and why."""
    overview = inbox_overview(Settings.from_env())
    if as_json:
        click.echo(json.dumps(overview, ensure_ascii=False, indent=2))
    else:
        click.echo(format_overview(overview))
