"""Entry points: write a demo company's exports into a folder (normally the inbox)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from xunpan.demo import business_exports, targets
from xunpan.demo.period import DemoPeriod, default_end_date
from xunpan.demo.platform_exports import MONTHLY_EXPORTS
from xunpan.demo.profile import FULL, SMALL, DemoProfile
from xunpan.demo.world import DemoWorld, build_world

DEFAULT_SEED = 7
SMALL_MONTHS = 2
SMALL_SEED = 1
# The small dataset has a fixed end so end-to-end tests know its dates and get the same bytes every
# day: 2025-12-01 .. 2026-01-20 spans a year end (two orders files) and a restated whole month.
SMALL_END_DATE = date(2026, 1, 20)


def generate(
    out_dir: Path,
    months: int = 12,
    seed: int = DEFAULT_SEED,
    end_date: date | None = None,
    company: str = "default",
) -> list[Path]:
    """Write about `months` months of one company's exports into `out_dir`; return the paths written.

    The period is the `months` calendar months ending at `end_date` (default: yesterday in
    Asia/Shanghai), the last one possibly partial. The same arguments always produce byte-identical
    files. `company` names the demo business (accounts, shops) and varies its random stream; the files
    go to `out_dir` itself (put them in `inbox/<company>` to file them for that company). Files of
    the same names are overwritten; nothing else in `out_dir` is touched.
    """
    return write_world(out_dir, simulate(months, seed, end_date, company, FULL))


def generate_small(out_dir: Path, seed: int = SMALL_SEED, end_date: date | None = None) -> list[Path]:
    """Write the small dataset (two months, a few dozen inquiries, every layout) for end-to-end tests.

    It ends on `SMALL_END_DATE` unless `end_date` is given, and always holds won deals with orders,
    invalid inquiries and an unmapped channel label.
    """
    return write_world(out_dir, simulate(SMALL_MONTHS, seed, end_date or SMALL_END_DATE, "default", SMALL))


def simulate(months: int, seed: int, end_date: date | None, company: str, profile: DemoProfile) -> DemoWorld:
    """The simulated company behind a dataset, without writing files (for statistics and tests)."""
    period = DemoPeriod.ending(end_date or default_end_date(), months)
    return build_world(period, profile, seed, company)


def write_world(out_dir: Path, world: DemoWorld, fx: bool = True) -> list[Path]:
    """Write every export file of `world` into `out_dir` (created if missing), sorted by name.

    `fx=False` leaves out fx_rates.csv: exchange rates are global, not a company's, so a
    multi-company demo writes them once.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for month in world.period.months:
        for export in MONTHLY_EXPORTS:
            paths += export(out_dir, world, month)
    paths += business_exports.inquiry_registers(out_dir, world)
    paths += business_exports.orders(out_dir, world)
    paths += business_exports.cost_card_files(out_dir, world)
    paths += business_exports.channel_contracts(out_dir, world)
    paths += targets.write_targets(out_dir, world)
    if fx:
        paths += business_exports.fx_rates(out_dir, world)
    return sorted(paths)


# The second, third, ... company of a multi-company demo: smaller businesses, so the dashboards'
# company filter visibly changes the figures.
COMPANY_SCALES = (1.0, 0.55, 0.35, 0.25)


def simulate_companies(
    companies: list[str], months: int, seed: int, end_date: date | None, profile: DemoProfile
) -> list[DemoWorld]:
    """One world per company: company i uses seed + i and its share of `profile`'s volumes."""
    worlds = []
    for i, company in enumerate(companies):
        scale = COMPANY_SCALES[min(i, len(COMPANY_SCALES) - 1)]
        scaled = replace(
            profile,
            inquiries_per_month=profile.inquiries_per_month * scale,
            repeat_orders_per_month=profile.repeat_orders_per_month * scale,
        )
        worlds.append(simulate(months, seed + i, end_date, company, scaled))
    return worlds


def write_companies(inbox: Path, worlds: list[DemoWorld]) -> list[Path]:
    """Write each world into inbox/<company>/; exchange rates once, with the first company's files."""
    paths: list[Path] = []
    for i, world in enumerate(worlds):
        paths += write_world(Path(inbox) / world.company, world, fx=i == 0)
    return paths
