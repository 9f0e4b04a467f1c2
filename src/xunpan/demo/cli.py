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
    "--small", is_flag=True, help=f"The small end-to-end dataset ({SMALL_MONTHS} months; ignores --months)."
)
def generate_command(
    months: int,
    seed: int | None,
    end_date: datetime | None,
    out_dir: Path | None,
    company: str | None,
    small: bool,
) -> None:
    """Write demo export files in the platforms' real layouts."""
    settings = Settings.from_env()
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
