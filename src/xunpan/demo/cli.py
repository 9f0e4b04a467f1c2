"""`xunpan demo ...`: write demo exports into the inbox so the whole stack can be tried without real data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from xunpan.config import Settings
from xunpan.demo.generator import (
    DEFAULT_SEED,
    SMALL_END_DATE,
    SMALL_MONTHS,
    SMALL_SEED,
    simulate,
    simulate_companies,
    write_companies,
    write_world,
)
from xunpan.demo.profile import FULL, SMALL
from xunpan.demo.statistics import statistics


@click.group(name="demo")
def demo_command() -> None:
    """Demo data: a valve maker's platform exports, register, orders and costs."""


@demo_command.command(name="generate")
@click.option(
    "--months",
    type=click.IntRange(min=1, max=120),
    default=12,
    show_default=True,
    help="Calendar months to cover, the last one ending at --end-date.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Same seed, same files, byte for byte (default 7, or 1 with --small).",
)
@click.option(
    "--end-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help=f"Last day covered (YYYY-MM-DD); default yesterday in Asia/Shanghai ({SMALL_END_DATE} with --small).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into; default the inbox (inbox/<company> for another company).",
)
@click.option("--company", default=None, help="Company id; default XUNPAN_COMPANY_ID or 'default'.")
@click.option(
    "--companies",
    default=None,
    help="Several companies at once, comma-separated (e.g. acme,beta): each into inbox/<company>/ "
    "with its own seed (--seed + position) and a smaller business after the first; exchange rates "
    "are written once. Replaces --company; --out is not allowed with it.",
)
@click.option(
    "--small", is_flag=True, help=f"The small end-to-end dataset ({SMALL_MONTHS} months; ignores --months)."
)
def generate_command(
    months: int,
    seed: int | None,
    end_date: datetime | None,
    out_dir: Path | None,
    company: str | None,
    companies: str | None,
    small: bool,
) -> None:
    """Write demo export files in the platforms' real layouts."""
    settings = Settings.from_env()
    if companies is not None:
        _generate_companies(settings, companies, company, out_dir, months, seed, end_date, small)
        return
    company_id = company or settings.company_id
    if out_dir is None:
        # The inbox files a sub-folder's contents for the company it is named after.
        out_dir = settings.inbox if company_id == settings.company_id else settings.inbox / company_id
    end = end_date.date() if end_date else None
    if small:
        world = simulate(
            SMALL_MONTHS, SMALL_SEED if seed is None else seed, end or SMALL_END_DATE, company_id, SMALL
        )
    else:
        world = simulate(months, DEFAULT_SEED if seed is None else seed, end, company_id, FULL)
    paths = write_world(out_dir, world)
    click.echo(f"wrote {len(paths)} files to {out_dir}")
    for line in statistics(world).lines():
        click.echo(f"  {line}")


def _generate_companies(
    settings: Settings,
    companies: str,
    company: str | None,
    out_dir: Path | None,
    months: int,
    seed: int | None,
    end_date: datetime | None,
    small: bool,
) -> None:
    from xunpan.errors import XunpanError
    from xunpan.landing import validate_company_id

    if company is not None or out_dir is not None:
        raise click.UsageError("--companies writes inbox/<company>/ for each; leave out --company and --out")
    names = [name.strip() for name in companies.split(",") if name.strip()]
    if not names or len(set(names)) != len(names):
        raise click.BadParameter("expected distinct company ids, e.g. acme,beta", param_hint="--companies")
    try:
        names = [validate_company_id(name) for name in names]
    except XunpanError as exc:
        raise click.BadParameter(str(exc), param_hint="--companies") from None
    end = end_date.date() if end_date else None
    if small:
        worlds = simulate_companies(
            names, SMALL_MONTHS, SMALL_SEED if seed is None else seed, end or SMALL_END_DATE, SMALL
        )
    else:
        worlds = simulate_companies(names, months, DEFAULT_SEED if seed is None else seed, end, FULL)
    paths = write_companies(settings.inbox, worlds)
    click.echo(f"wrote {len(paths)} files for {len(worlds)} companies to {settings.inbox}/<company>/")
    for world in worlds:
        click.echo(f"{world.company}:")
        for line in statistics(world).lines():
            click.echo(f"  {line}")
