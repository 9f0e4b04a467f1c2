"""`xunpan bench`'s inputs and its plain-SQL reference, on a small plan (the timed run is `make bench`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from click.testing import CliRunner

from xunpan.bench import plain_sql_aggregate
from xunpan.bench_data import ScalePlan, expected_cost_cents, write_backfill, write_next_day
from xunpan.cli import main
from xunpan.sources.parse import parse_file

CHANNELS = {"baidu_search": "baidu_ppc", "sogou": "sogou_ppc", "so360": "so360_ppc"}


def _parsed_cost(paths, today):
    """(day, channel) -> cost, and (company, platform) -> cost, through the real importer."""
    by_day: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    by_platform: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for path in paths:
        parsed = parse_file(path, company_id=path.parent.name, today=today)
        assert parsed.kind == "ad_spend" and parsed.layout.endswith("_keyword"), path.name
        table = parsed.table.to_pydict()
        for day, platform, cost in zip(table["spend_date"], table["platform"], table["cost"], strict=True):
            by_day[(day.isoformat(), CHANNELS[platform])] += cost
            by_platform[(path.parent.name, platform)] += cost
    return dict(by_day), dict(by_platform)


def test_scale_exports_import_and_plain_sql_sums_the_same(tmp_path):
    plan = ScalePlan(("acme", "beta"), rows_per_company=3000, last_day=dt.date(2026, 11, 30), days=40)
    backfill = write_backfill(tmp_path / "exports", plan)
    # two monthly files per platform (40 days across October and November) for each company
    assert len(backfill) == 2 * 3 * 2
    today = dt.date(2026, 12, 3)
    by_day, by_platform = _parsed_cost(backfill, today)
    assert len({day for day, _ in by_day}) == plan.days

    _, _, plain = plain_sql_aggregate(backfill, tmp_path / "plain")
    assert plain == by_day
    expected = {
        (company, {"baidu": "baidu_search"}.get(p, p)): Decimal(cents) / 100
        for (company, p), cents in expected_cost_cents(plan, plan.last_day, restated=False).items()
    }
    assert by_platform == expected

    # The next day: one daily export per company and platform, and Baidu's restatement of the
    # last day, which lowers it (refunded clicks) and is what counts for that day afterwards.
    next_day = write_next_day(tmp_path / "exports", plan)
    assert len(next_day) == 2 * 4
    restated = [p for p in next_day if p.stem.endswith("_restated")]
    day_after = plan.last_day + dt.timedelta(days=1)
    restated_day, _ = _parsed_cost(restated, today)
    assert {day for day, _ in restated_day} == {plan.last_day.isoformat()}
    assert (
        restated_day[(plan.last_day.isoformat(), "baidu_ppc")]
        < by_day[(plan.last_day.isoformat(), "baidu_ppc")]
    )
    fresh, _ = _parsed_cost([p for p in next_day if p not in restated], today)
    assert {day for day, _ in fresh} == {day_after.isoformat()}
    with_restatement = expected_cost_cents(plan, day_after, restated=True)
    without = expected_cost_cents(plan, day_after, restated=False)
    last = (plan.last_day.isoformat(), "baidu_ppc")
    for company in plan.companies:
        lowered = Decimal(without[(company, "baidu")] - with_restatement[(company, "baidu")]) / 100
        first_export, _ = _parsed_cost([p for p in backfill if p.parent.name == company], today)
        second_export, _ = _parsed_cost([p for p in restated if p.parent.name == company], today)
        assert lowered == first_export[last] - second_export[last] > 0


def test_bench_command_is_an_xunpan_subcommand():
    result = CliRunner().invoke(main, ["bench", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--companies", "--rows", "--out", "--workdir"):
        assert option in result.output
