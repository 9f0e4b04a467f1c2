"""`xunpan import`, `xunpan inbox` and `xunpan layouts`: the commands a person uses to hand files to
the pipeline and to see how a file is understood.

Registered in xunpan.cli with `from xunpan.landing_cli import import_command, inbox_command, layouts_command`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.inbox_view import format_overview, inbox_overview
from xunpan.landing import import_files, validate_company_id
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
@click.option(
    "--platform",
    default=None,
    help="The platform that wrote the files (e.g. baidu_search, sogou, alibaba_1688_p4p), for a header "
    "two platforms write alike; the file's own header, title lines and name are trusted first, and a "
    "file that says otherwise is refused (see `xunpan layouts`).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def import_command(
    files: tuple[Path, ...], kind: str | None, company: str | None, platform: str | None, as_json: bool
) -> None:
    """Check export files and place the good ones in the inbox for the next pipeline run.

    Prints what each file was recognised as (kind, layout, date range, rows, totals), or exactly
    which rows and columns are wrong. Exits with code 1 if any file was rejected.
    """
    settings = Settings.from_env()
    results = import_files(settings, list(files), kind=kind, company=company, platform=platform)
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


@click.group("layouts", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the layouts as JSON.")
@click.pass_context
def layouts_command(ctx: click.Context, as_json: bool) -> None:
    """List every layout the importer knows, with its minimum columns and a sample header.

    Includes the layouts taught in XUNPAN_HOME/layouts/. `xunpan layouts explain FILE` shows how
    each column of one file is understood.
    """
    if ctx.invoked_subcommand is not None:
        return
    from xunpan.sources.catalog import catalog, format_catalog

    entries = catalog(Settings.from_env().layouts)
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
    else:
        click.echo(format_catalog(entries))


@layouts_command.command("explain")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Only consider this input kind.")
@click.option("--platform", default=None, help="As for `xunpan import --platform`.")
def explain_command(file: Path, kind: str | None, platform: str | None) -> None:
    """Show how FILE's columns are understood: field per column, platform and where it came from,
    report level, rows, dates and totals; or, for a refused file, why and the layout skeleton."""
    from xunpan.errors import InputRejected
    from xunpan.sources import parse_file
    from xunpan.sources.catalog import format_explain

    settings = Settings.from_env()
    try:
        parsed = parse_file(file, kind=kind, platform=platform, company_id=settings.company_id)
    except InputRejected as error:
        click.echo(f"refused: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(format_explain(parsed))
