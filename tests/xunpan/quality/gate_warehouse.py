"""A small hand-made warehouse whose marts follow the data contract (section 3).

Base rows (inquiries, converted ad spend, converted order lines) are written by hand; every mart
is derived from them with SQL, so the marts agree with each other and with the staging totals
exactly as a correct dbt build would. Tests then break one thing and expect the gate to say so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from xunpan.quality.contract import CANONICAL_CHANNELS, PUBLISHED_MODELS, published_contracts

RUN_DATE = dt.date(2026, 3, 10)
DAYS = 40
COMPANY = "acme"
CHANNELS = [
    ("alibaba_intl", "b2b_platform", True),
    ("baidu_ppc", "paid_search", True),
    ("baidu_seo", "organic_search", False),
]
PRODUCTS = [
    ("VLV-100", "Ball valve DN100", "valves", "flagship"),
    ("PMP-200", "Pump housing", "pumps", "supporting"),
]
STAGE_CYCLE = ["received", "intentional", "effective", "won", "invalid"]


def _inquiries(extra_on_last_day: int) -> list[tuple]:
    rows = []
    first = RUN_DATE - dt.timedelta(days=DAYS - 1)
    n = 0
    for day in range(DAYS):
        date = first + dt.timedelta(days=day)
        per_day = 2 + (extra_on_last_day if date == RUN_DATE else 0)
        for _ in range(per_day):
            channel_id, group, paid = CHANNELS[n % len(CHANNELS)]
            sku, _name, line, _class = PRODUCTS[n % len(PRODUCTS)]
            kind = STAGE_CYCLE[n % len(STAGE_CYCLE)]
            received_at = dt.datetime(date.year, date.month, date.day, 2, 30, tzinfo=dt.UTC)
            invalid = kind == "invalid"
            stage = "received" if invalid else kind
            reached = STAGE_CYCLE.index(stage)
            won = stage == "won"
            lost = stage == "effective" and n % 2 == 0
            rows.append(
                (
                    COMPANY,
                    f"INQ-{n:05d}",
                    received_at,
                    date,
                    channel_id,
                    group,
                    paid,
                    "邮件",
                    "DE",
                    sku,
                    line,
                    stage,
                    won,
                    lost,
                    not (won or lost or invalid),
                    invalid,
                    "effective" if lost else None,
                    "price" if lost else None,
                    received_at + dt.timedelta(days=2) if reached >= 1 else None,
                    received_at + dt.timedelta(days=5) if reached >= 2 else None,
                    received_at + dt.timedelta(days=20) if won else None,
                    received_at + dt.timedelta(days=9) if lost else None,
                    2 if reached >= 1 else None,
                    5 if reached >= 2 else None,
                    20 if won else None,
                    12000.50 if won else None,
                    3100.25 if won else None,
                )
            )
            n += 1
    return rows


def build_warehouse(path: Path, extra_on_last_day: int = 0) -> Path:
    """Write a consistent warehouse at path (replacing it) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("set TimeZone = 'UTC'")
    for schema in ("marts", "intermediate", "staging"):
        con.execute(f"create schema {schema}")
    con.execute("""create table marts.dim_channels (channel_id varchar, channel_name_zh varchar,
                   channel_name_en varchar, channel_group varchar, is_paid boolean)""")
    con.executemany(
        "insert into marts.dim_channels values (?, ?, ?, 'other', false)",
        [(c, c, c) for c in CANONICAL_CHANNELS],
    )
    con.execute("""create table marts.dim_products (product_sku varchar, product_name varchar,
                   product_line varchar, product_class varchar)""")
    con.executemany("insert into marts.dim_products values (?, ?, ?, ?)", PRODUCTS)
    con.execute("""create table marts.fct_inquiries (
        company_id varchar, inquiry_id varchar, received_at timestamptz, received_date date,
        channel_id varchar, channel_group varchar, is_paid boolean, contact_method varchar, country varchar,
        product_sku varchar, product_line varchar, stage_reached varchar, is_won boolean, is_lost boolean,
        is_open boolean, is_invalid boolean, lost_stage varchar, lost_reason varchar,
        intentional_at timestamptz, effective_at timestamptz, won_at timestamptz, lost_at timestamptz,
        days_to_intentional integer, days_to_effective integer, days_to_won integer,
        won_revenue_cny decimal(18, 2), won_gross_profit_cny decimal(18, 2))""")
    con.executemany(
        f"insert into marts.fct_inquiries values ({', '.join(['?'] * 27)})", _inquiries(extra_on_last_day)
    )

    first = RUN_DATE - dt.timedelta(days=DAYS - 1)
    con.execute(
        """create table intermediate.int_ad_spend_converted as
        select 'acme' as company_id, d::date as spend_date, channel_id,
               cast(case channel_id when 'baidu_ppc' then 100.25 + datediff('day', ?, d) else 50.10 end
                    as decimal(18, 2)) as spend_cny
        from range(?::date, ?::date + 1, interval 1 day) as r(d),
             (values ('baidu_ppc'), ('alibaba_intl')) as c(channel_id)""",
        [first, first, RUN_DATE],
    )
    con.execute(
        """create table intermediate.int_company_reporting_periods as
        select 'acme' as company_id, ?::date as data_through_date""",
        [RUN_DATE],
    )
    con.execute(
        """create table intermediate.int_order_lines_costed as
        select 'acme' as company_id, d::date as order_date, sku as product_sku, 3 as quantity,
               cast(case sku when 'VLV-100' then 4000.40 else 1500.15 end as decimal(18, 2)) as revenue_cny
        from range(?::date, ?::date + 1, interval 4 day) as r(d),
             (values ('VLV-100'), ('PMP-200')) as p(sku)""",
        [first, RUN_DATE],
    )

    stage_counts = """
        count(*) as inquiries_total,
        count(*) filter (where is_invalid) as inquiries_invalid,
        count(*) filter (where not is_invalid) as inquiries_valid,
        count(*) filter (where stage_reached in ('intentional', 'effective', 'won')) as inquiries_intentional,
        count(*) filter (where stage_reached in ('effective', 'won')) as inquiries_effective,
        count(*) filter (where is_won) as inquiries_won"""
    con.execute(f"""create table marts.mart_inquiry_funnel as
        select company_id, received_date, channel_id, channel_group, is_paid, product_line, {stage_counts},
               count(*) filter (where is_lost) as inquiries_lost,
               count(*) filter (where is_open) as inquiries_open,
               cast(coalesce(sum(won_revenue_cny), 0) as decimal(18, 2)) as won_revenue_cny,
               coalesce(sum(days_to_won), 0) as sum_days_to_won
        from marts.fct_inquiries group by all""")
    con.execute("""create table marts.mart_inquiry_funnel_monthly as
        with monthly as (
            select company_id, cast(date_trunc('month', received_date) as date) as month_start,
                   sum(inquiries_total) as inquiries_total, sum(inquiries_invalid) as inquiries_invalid,
                   sum(inquiries_valid) as inquiries_valid, sum(inquiries_intentional) as inquiries_intentional,
                   sum(inquiries_effective) as inquiries_effective, sum(inquiries_won) as inquiries_won,
                   sum(inquiries_lost) as inquiries_lost, sum(inquiries_open) as inquiries_open,
                   sum(won_revenue_cny) as won_revenue_cny, sum(sum_days_to_won) as sum_days_to_won
            from marts.mart_inquiry_funnel group by all
        )
        select *,
               inquiries_intentional / nullif(inquiries_valid, 0) as intentional_rate,
               inquiries_effective / nullif(inquiries_intentional, 0) as effective_rate,
               inquiries_won / nullif(inquiries_effective, 0) as win_rate,
               inquiries_won / nullif(inquiries_valid, 0) as overall_conversion_rate,
               inquiries_invalid / nullif(inquiries_total, 0) as invalid_rate,
               sum_days_to_won / nullif(inquiries_won, 0) as avg_days_to_won
        from monthly""")
    # issue 8 columns of the inquiry marts: the id as typed, reporting-period flags, cohort maturity
    con.execute("alter table marts.fct_inquiries add column inquiry_id_as_written varchar")
    con.execute("update marts.fct_inquiries set inquiry_id_as_written = inquiry_id")
    for column in ("is_last_complete_month", "is_last_complete_week"):
        con.execute(f"alter table marts.mart_inquiry_funnel add column {column} boolean default false")
    con.execute("""alter table marts.mart_inquiry_funnel_monthly add column open_share double""")
    con.execute(
        "update marts.mart_inquiry_funnel_monthly set open_share = inquiries_open / nullif(inquiries_valid, 0)"
    )
    for column in ("is_cohort_mature", "is_last_complete_month"):
        con.execute(
            f"alter table marts.mart_inquiry_funnel_monthly add column {column} boolean default false"
        )
    con.execute(
        f"""create table marts.mart_channel_cost_per_inquiry as
        with days as (
            select 'acme' as company_id, d::date as date_day, channel_id, channel_group, is_paid
            from range(?::date, ?::date + 1, interval 1 day) as r(d),
                 (values ('alibaba_intl', 'b2b_platform', true), ('baidu_ppc', 'paid_search', true),
                         ('baidu_seo', 'organic_search', false)) as c(channel_id, channel_group, is_paid)
        ),
        spend as (
            select company_id, spend_date as date_day, channel_id, sum(spend_cny) as spend_variable_cny
            from intermediate.int_ad_spend_converted group by all
        ),
        inquiries as (
            select company_id, received_date as date_day, channel_id, {stage_counts},
                   coalesce(sum(won_revenue_cny), 0) as won_revenue_cny,
                   coalesce(sum(won_gross_profit_cny), 0) as won_gross_profit_cny
            from marts.fct_inquiries group by all
        )
        select days.company_id, days.date_day, days.channel_id, days.channel_group, days.is_paid,
               cast(coalesce(spend.spend_variable_cny, 0) as decimal(18, 2)) as spend_variable_cny,
               cast(case days.channel_id when 'alibaba_intl' then 81.64 else 0 end as decimal(18, 2))
                   as spend_fixed_cny,
               cast(coalesce(spend.spend_variable_cny, 0)
                    + case days.channel_id when 'alibaba_intl' then 81.64 else 0 end as decimal(18, 2))
                   as spend_total_cny,
               case when days.is_paid then 1000 else 0 end as impressions,
               case when days.is_paid then 40 else 0 end as clicks,
               coalesce(inquiries_total, 0) as inquiries_total,
               coalesce(inquiries_valid, 0) as inquiries_valid,
               coalesce(inquiries_intentional, 0) as inquiries_intentional,
               coalesce(inquiries_effective, 0) as inquiries_effective,
               coalesce(inquiries_won, 0) as inquiries_won,
               cast(coalesce(inquiries.won_revenue_cny, 0) as decimal(18, 2)) as won_revenue_cny,
               cast(coalesce(inquiries.won_gross_profit_cny, 0) as decimal(18, 2)) as won_gross_profit_cny,
               cast(coalesce(inquiries.won_revenue_cny, 0) as decimal(18, 2)) as won_revenue_costed_cny,
               0 as inquiries_won_uncosted,
               false as is_last_complete_month,
               false as is_last_complete_week
        from days
        left join spend using (company_id, date_day, channel_id)
        left join inquiries using (company_id, date_day, channel_id)""",
        [first, RUN_DATE],
    )
    con.execute("""create table marts.mart_channel_cost_per_inquiry_monthly as
        with monthly as (
            select company_id, cast(date_trunc('month', date_day) as date) as month_start, channel_id,
                   channel_group, is_paid,
                   sum(spend_variable_cny) as spend_variable_cny, sum(spend_fixed_cny) as spend_fixed_cny,
                   sum(spend_total_cny) as spend_total_cny, sum(impressions) as impressions,
                   sum(clicks) as clicks, sum(inquiries_total) as inquiries_total,
                   sum(inquiries_valid) as inquiries_valid, sum(inquiries_intentional) as inquiries_intentional,
                   sum(inquiries_effective) as inquiries_effective, sum(inquiries_won) as inquiries_won,
                   sum(won_revenue_cny) as won_revenue_cny, sum(won_gross_profit_cny) as won_gross_profit_cny,
                   sum(won_revenue_costed_cny) as won_revenue_costed_cny,
                   sum(inquiries_won_uncosted) as inquiries_won_uncosted
            from marts.mart_channel_cost_per_inquiry group by all
        )
        select *,
               spend_total_cny / nullif(inquiries_valid, 0) as cost_per_inquiry_cny,
               spend_total_cny / nullif(inquiries_intentional, 0) as cost_per_intentional_cny,
               spend_total_cny / nullif(inquiries_effective, 0) as cost_per_effective_cny,
               spend_total_cny / nullif(inquiries_won, 0) as cost_per_won_cny,
               won_revenue_cny / nullif(spend_total_cny, 0) as roas,
               (won_gross_profit_cny - spend_total_cny) / nullif(spend_total_cny, 0) as roi,
               inquiries_total / nullif(clicks, 0) as click_to_inquiry_rate,
               inquiries_valid / nullif(sum(inquiries_valid) over (partition by company_id, month_start), 0)
                   as inquiry_share,
               won_revenue_costed_cny / nullif(won_revenue_cny, 0) as cost_coverage,
               false as is_last_complete_month
        from monthly""")
    con.execute("""create table marts.mart_product_margin as
        with orders as (
            select company_id, cast(date_trunc('month', order_date) as date) as month_start, product_sku,
                   sum(quantity) as units, sum(revenue_cny) as revenue_cny
            from intermediate.int_order_lines_costed group by all
        ),
        inquiries as (
            select company_id, cast(date_trunc('month', received_date) as date) as month_start, product_sku,
                   count(*) filter (where not is_invalid) as inquiries_valid,
                   count(*) filter (where is_won) as inquiries_won
            from marts.fct_inquiries group by all
        ),
        costed as (
            select orders.*, p.product_name, p.product_line, p.product_class,
                   cast(revenue_cny * 0.40 as decimal(18, 2)) as material_cost_cny,
                   cast(revenue_cny * 0.15 as decimal(18, 2)) as labor_cost_cny,
                   cast(revenue_cny * 0.02 as decimal(18, 2)) as loss_cost_cny,
                   cast(revenue_cny * 0.08 as decimal(18, 2)) as process_cost_cny,
                   coalesce(inquiries.inquiries_valid, 0) as inquiries_valid,
                   coalesce(inquiries.inquiries_won, 0) as inquiries_won,
                   cast(case orders.product_sku when 'PMP-200' then 9000 else 500 end as decimal(18, 2))
                       as allocated_marketing_cost_cny
            from orders
            join marts.dim_products as p using (product_sku)
            left join inquiries using (company_id, month_start, product_sku)
        )
        select company_id, month_start, product_sku, product_name, product_line, units, revenue_cny,
               material_cost_cny, labor_cost_cny, loss_cost_cny, process_cost_cny,
               material_cost_cny + labor_cost_cny + loss_cost_cny + process_cost_cny as cogs_cny,
               revenue_cny - (material_cost_cny + labor_cost_cny + loss_cost_cny + process_cost_cny)
                   as gross_profit_cny,
               inquiries_valid, inquiries_won, allocated_marketing_cost_cny,
               revenue_cny - (material_cost_cny + labor_cost_cny + loss_cost_cny + process_cost_cny)
                   - allocated_marketing_cost_cny as contribution_cny,
               product_class,
               revenue_cny as revenue_costed_cny,
               case when revenue_cny > 0 then 1.0 end as cost_coverage,
               0 as order_lines_uncosted,
               false as is_last_complete_month
        from costed""")
    con.execute(
        """create table marts.dim_dates as
        select d::date as date_day from range(?::date, ?::date + 1, interval 1 day) as r(d)""",
        [first, RUN_DATE],
    )
    _complete_to_contract(con)
    con.close()
    return path


def _complete_to_contract(con: duckdb.DuckDBPyConnection) -> None:
    """Each published mart in its dbt contract's column order; columns the rows above leave out
    (those no gate check reads) are NULL of the contract's type, so the column lists are dbt's."""
    for model in PUBLISHED_MODELS:
        present = {
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = ?",
                [model.name],
            ).fetchall()
        }
        contract = published_contracts()[model.name]
        select = [
            c.name if c.name in present else f"cast(null as {c.data_type}) as {c.name}" for c in contract
        ]
        select += sorted(present - {c.name for c in contract})
        con.execute(f"alter table marts.{model.name} rename to {model.name}__hand_made")
        con.execute(
            f"create table marts.{model.name} as select {', '.join(select)} from marts.{model.name}__hand_made"
        )
        con.execute(f"drop table marts.{model.name}__hand_made")
