"""The whole pipeline on the small demo dataset: the real DAG through dag.test(), then the checks a
person would make — published tables, money reconciled with the raw imports, dashboards in a browser."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

pytestmark = pytest.mark.slow

PUBLISHED = {
    "fct_inquiries",
    "mart_inquiry_funnel",
    "mart_channel_cost_per_inquiry",
    "mart_channel_cost_per_inquiry_monthly",
    "mart_product_margin",
    "dim_channels",
    "dim_products",
    "dim_dates",
}


def test_daily_dag_succeeds_and_publishes(pipeline_run) -> None:
    assert pipeline_run.state == "success"
    serving = pipeline_run.settings.serving_current
    assert serving.is_symlink() and serving.resolve().exists()
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = {
            row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()
        }
        assert tables >= PUBLISHED
        for table in PUBLISHED:
            (count,) = con.execute(f"select count(*) from {table}").fetchone()
            assert count > 0, f"{table} is empty"


def test_funnel_invariant_holds_on_every_published_row(pipeline_run) -> None:
    with duckdb.connect(str(pipeline_run.settings.serving_current), read_only=True) as con:
        (bad,) = con.execute(
            """select count(*) from mart_inquiry_funnel
               where not (inquiries_won <= inquiries_effective
                          and inquiries_effective <= inquiries_intentional
                          and inquiries_intentional <= inquiries_valid
                          and inquiries_valid <= inquiries_total)"""
        ).fetchone()
    assert bad == 0


def test_variable_spend_reconciles_to_the_cent_with_the_imported_rows(pipeline_run) -> None:
    """Recompute spend from the raw Parquet independently of dbt, by the grain-of-record rule
    (docs/raw-landing.md): per platform and day, a report without an account column covers the
    platform; otherwise per account the coarsest report level counts; then the latest load. Converted
    at the as-of FX rate, rounded per row to the cent."""
    raw = pipeline_run.settings.raw
    with duckdb.connect() as con:
        expected = con.execute(
            f"""
            with spend as (
                select * from read_parquet('{raw}/ad_spend/*.parquet', union_by_name = true)
            ),
            ranked as (
                select *,
                    bool_or(account is null) over (partition by company_id, platform, spend_date) as day_has_no_account,
                    case report_level when 'account' then 1 when 'ad_group' then 3 when 'keyword' then 4
                        when 'search_term' then 5 else 2 end as level_rank
                from spend
            ),
            of_record as (
                select * from ranked where account is null or not day_has_no_account
            ),
            coarsest as (
                select * from of_record
                qualify level_rank = min(level_rank) over (partition by company_id, platform, account, spend_date)
            ),
            counted as (
                select * from coarsest
                qualify load_seq = max(load_seq) over (partition by company_id, platform, account, spend_date)
            ),
            fx as (
                select rate_date, currency, cny_per_unit, load_seq from (
                    select *, row_number() over (partition by currency, rate_date order by load_seq desc) as rn
                    from read_parquet('{raw}/fx_rates/*.parquet', union_by_name = true)
                ) where rn = 1
            )
            select sum(case when c.currency = 'CNY' then c.cost
                            else round(c.cost * f.cny_per_unit, 2) end)
            from counted c
            asof left join fx f on f.currency = c.currency and c.spend_date >= f.rate_date
            """
        ).fetchone()[0]
    with duckdb.connect(str(pipeline_run.settings.serving_current), read_only=True) as con:
        published = con.execute(
            "select sum(spend_variable_cny) from mart_channel_cost_per_inquiry"
        ).fetchone()[0]
    assert expected is not None and expected > 0
    assert Decimal(str(published)) == Decimal(str(expected))


def test_revenue_reconciles_with_the_imported_order_lines(pipeline_run) -> None:
    raw = pipeline_run.settings.raw
    with duckdb.connect() as con:
        expected = con.execute(
            f"""
            with orders as (
                select * from read_parquet('{raw}/orders/*.parquet', union_by_name = true)
            ),
            latest as (
                select *, row_number() over (
                    partition by company_id, order_id, order_line order by load_seq desc) as rn
                from orders
            ),
            fx as (
                select rate_date, currency, cny_per_unit from (
                    select *, row_number() over (partition by currency, rate_date order by load_seq desc) as rn
                    from read_parquet('{raw}/fx_rates/*.parquet', union_by_name = true)
                ) where rn = 1
            )
            -- quantity x price x rate has 13 decimals: widen before multiplying.
            select sum(round(o.quantity::decimal(38, 3) * o.unit_price::decimal(38, 4)
                             * case when o.currency = 'CNY' then 1 else f.cny_per_unit end, 2))
            from latest o
            asof left join fx f on f.currency = o.currency and o.order_date >= f.rate_date
            where o.rn = 1
            """
        ).fetchone()[0]
    with duckdb.connect(str(pipeline_run.settings.serving_current), read_only=True) as con:
        published = con.execute("select sum(revenue_cny) from mart_product_margin").fetchone()[0]
    assert expected is not None and expected > 0
    assert Decimal(str(published)) == Decimal(str(expected))


def test_status_points_to_the_published_serving_file(pipeline_run) -> None:
    from xunpan.status import collect_status

    report = collect_status(pipeline_run.settings)
    assert report["serving_database"] == str(pipeline_run.settings.serving_current.resolve())
    assert report["runs"] and report["runs"][-1]["outcome"] in {"published", "warning"}
    assert report["runs"][-1]["steps"] == {
        "pull": "success",
        "ingest": "success",
        "build": "success",
        "audit": report["runs"][-1]["steps"]["audit"],
        "publish": "success",
    }
