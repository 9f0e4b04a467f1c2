"""Ad spend is built incrementally by day (issue 12, acceptance 2), on the real dbt project.

A restated export rebuilds only the company-days it touches, from the staging tables on (the
report ranking and the rows that count): every other day's rows keep the invocation that built
them and their figures, and the totals stay exact. A restated FX rate
rebuilds only the foreign-currency days it applies to. A full refresh then gives identical marts.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import duckdb
import pytest
from dataset import spend
from dbt_homes import clone_home
from raw_fixtures import RawWriter

from xunpan.config import Settings
from xunpan.transform import run_dbt

pytestmark = pytest.mark.slow

# every built column except the one naming the dbt invocation that wrote the row
_ROW = (
    "company_id, spend_date, platform, channel_id, account, campaign, report_level, impressions, "
    "clicks, cost, currency, cny_per_unit, spend_cny, file_sha256, source_row, load_seq"
)


def _days(settings: Settings) -> dict[tuple[str, str], dict[str, object]]:
    """(company, day) -> its rows (without the invocation) and the invocations that built them."""
    days: dict[tuple[str, str], dict[str, object]] = defaultdict(lambda: {"rows": set(), "built_by": set()})
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for row in con.execute(
            f"select {_ROW}, built_by_invocation_id from intermediate.int_ad_spend_converted"
        ).fetchall():
            day = days[(row[0], str(row[1]))]
            day["rows"].add(row[:-1])
            day["built_by"].add(row[-1])
    return dict(days)


def _ranked_by(settings: Settings) -> dict[tuple[str, str], set[str]]:
    """(company, day) -> the invocations that ranked its reports and that took its counted rows."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "select company_id, spend_date::varchar, 'ranked ' || built_by_invocation_id "
            "from staging.stg_raw__ad_spend_reports "
            "union select company_id, spend_date::varchar, 'taken ' || reports_built_by_invocation_id "
            "from staging.stg_raw__ad_spend"
        ).fetchall()
    days: dict[tuple[str, str], set[str]] = defaultdict(set)
    for company, day, built_by in rows:
        days[(company, day)].add(built_by)
    return dict(days)


def _spend_cny(day: dict[str, object]) -> Decimal:
    return sum((row[12] for row in day["rows"]), Decimal("0"))


def _build_spend(settings: Settings, *extra: str) -> None:
    # the spend model, what it reads (the staging views read this home's raw files), everything
    # downstream and everything the FX rates feed, with their tests (the monthly reconciliations
    # of the marts against the raw files among them); the rest is as the first build left it. The
    # unit tests ran in built_acme's build and read no warehouse data: not again here.
    run_dbt(
        settings,
        "build",
        "--select",
        "+int_ad_spend_converted+",
        "stg_raw__fx_rates+",
        "--exclude",
        "test_type:unit",
        *extra,
    )


def _marts(settings: Settings) -> dict[str, list[tuple]]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        marts = {t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr) for t in tables}
        marts["int_ad_spend_converted"] = sorted(
            con.execute(f"select {_ROW} from intermediate.int_ad_spend_converted").fetchall(), key=repr
        )
        # the incremental staging tables too, without the invocation columns
        for model, invocation in (
            ("stg_raw__ad_spend_reports", "built_by_invocation_id"),
            ("stg_raw__ad_spend", "reports_built_by_invocation_id"),
        ):
            marts[model] = sorted(
                con.execute(f"select * exclude ({invocation}) from staging.{model}").fetchall(), key=repr
            )
    return marts


def test_restated_day_rebuilds_only_that_day_and_full_refresh_agrees(built_acme, tmp_path):
    settings = clone_home(built_acme.settings, tmp_path / "incremental")
    before = _days(settings)
    ranked_before = _ranked_by(settings)
    day = ("acme", "2026-01-02")
    assert day in before and len(before) > 2

    # Baidu restates acme's keyword report of 2026-01-02 (refunded clicks): the same layout, loaded
    # later, replaces that day's keyword rows; the feed account's report of that day stays.
    restated = [
        spend("2026-01-02", "baidu_search", "bd-acct", "95.00", 9, 1000, keyword="离心泵"),
        spend("2026-01-02", "baidu_search", "bd-acct", "190.00", 19, 2000, keyword="水泵厂家"),
    ]
    RawWriter(settings.raw).write("ad_spend", restated, layout="baidu_search_keyword", load_seq=100)
    _build_spend(settings)
    after = _days(settings)
    ranked_after = _ranked_by(settings)

    # staging re-ranked and re-took that one day: both by this build, every other day as it was
    assert {key for key in ranked_after if ranked_after[key] != ranked_before[key]} == {day}
    assert len({built_by.split()[1] for built_by in ranked_after[day]}) == 1
    assert set(after) == set(before)
    for key in before:
        if key == day:
            continue
        # untouched: the very rows the first build wrote, by the same invocation
        assert after[key] == before[key], key
    assert after[day]["built_by"].isdisjoint(before[day]["built_by"])
    feed = {row for row in before[day]["rows"] if row[2] == "baidu_feed"}
    assert feed and feed <= after[day]["rows"]
    restated_cost = sum(Decimal(r["cost"]) for r in restated)
    assert _spend_cny(after[day]) == restated_cost + _spend_cny({"rows": feed})
    assert {row[15] for row in after[day]["rows"] if row[2] == "baidu_search"} == {100}

    # A later USD rate file restates 2026-01-05 (7.20 -> 7.25): only the USD spend days from then
    # on are rebuilt (2026-01-03 still uses the 2026-01-01 rate).
    RawWriter(settings.raw).write(
        "fx_rates", [{"rate_date": "2026-01-05", "currency": "USD", "cny_per_unit": "7.250000"}], load_seq=101
    )
    _build_spend(settings)
    fx_after = _days(settings)
    usd_day = ("acme", "2026-01-05")
    rebuilt = {key for key in fx_after if fx_after[key]["built_by"] != after[key]["built_by"]}
    assert rebuilt == {usd_day}
    usd_rows = [row for row in fx_after[usd_day]["rows"] if row[10] == "USD"]
    assert usd_rows and all(row[11] == Decimal("7.25") for row in usd_rows)
    assert all(row[12] == (row[9] * Decimal("7.25")).quantize(Decimal("0.01")) for row in usd_rows)

    # The rate changes no report: staging keeps every day as it was.
    assert _ranked_by(settings) == ranked_after

    # A build with nothing new rebuilds nothing.
    _build_spend(settings)
    assert _days(settings) == fx_after
    assert _ranked_by(settings) == ranked_after

    incremental_marts = _marts(settings)
    _build_spend(settings, "--full-refresh")
    assert _marts(settings) == incremental_marts
    refreshed = _days(settings)
    assert len({i for d in refreshed.values() for i in d["built_by"]}) == 1
