"""A small, hand-made serving database with the contract's tables, for the Superset tests.

Four channels, two products, three months (2026-08 .. 2026-10), twenty inquiries. The facts are
listed by hand below; the marts are aggregated from them in SQL so that every table agrees.
The figures the tests expect are worked out by hand in EXPECTED (see the comments there).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb

CHANNELS = [
    # channel_id, name_zh, name_en, group, is_paid
    ("alibaba_intl", "阿里巴巴国际站", "Alibaba.com", "b2b_platform", True),
    ("baidu_ppc", "百度竞价", "Baidu PPC", "paid_search", True),
    ("baidu_seo", "百度自然搜索/优化", "Baidu SEO", "organic_search", False),
    ("wechat", "微信", "WeChat", "social", False),
]
PRODUCTS = [
    # sku, name, line, class
    ("P-100", "液压阀 Hydraulic valve", "valves", "flagship"),
    ("P-200", "密封圈 Seal kit", "accessories", "supporting"),
]

# inquiry_id, received_date, channel, contact_method, country, sku, stage_reached, is_invalid, is_lost,
# days_to_won, won_revenue_cny
INQUIRIES = [
    ("Q01", "2026-08-03", "alibaba_intl", "旺旺/TM", "美国", "P-100", "won", False, False, 40, 52000.00),
    ("Q02", "2026-08-05", "alibaba_intl", "邮件", "德国", "P-100", "effective", False, True, None, 0),
    ("Q03", "2026-08-12", "alibaba_intl", "邮件", "印度", "P-200", "received", True, False, None, 0),
    ("Q04", "2026-08-20", "baidu_ppc", "电话", "中国", "P-100", "won", False, False, 25, 30000.00),
    ("Q05", "2026-08-22", "baidu_seo", "网站表单", "中国", "P-200", "intentional", False, True, None, 0),
    ("Q06", "2026-09-02", "alibaba_intl", "旺旺/TM", "巴西", "P-100", "intentional", False, True, None, 0),
    ("Q07", "2026-09-04", "alibaba_intl", "邮件", "美国", "P-200", "won", False, False, 30, 18000.00),
    ("Q08", "2026-09-09", "baidu_ppc", "百度商桥", "中国", "P-100", "effective", False, False, None, 0),
    ("Q09", "2026-09-11", "baidu_ppc", "电话", "中国", "P-200", "received", True, False, None, 0),
    ("Q10", "2026-09-15", "baidu_seo", "网站表单", "越南", "P-100", "won", False, False, 35, 41000.00),
    ("Q11", "2026-09-18", "wechat", "微信", "中国", "P-200", "intentional", False, False, None, 0),
    ("Q12", "2026-09-25", "baidu_seo", "QQ", "中国", "P-100", "received", False, False, None, 0),
    ("Q13", "2026-10-01", "alibaba_intl", "旺旺/TM", "墨西哥", "P-100", "intentional", False, False, None, 0),
    ("Q14", "2026-10-06", "alibaba_intl", "邮件", "德国", "P-200", "received", False, False, None, 0),
    ("Q15", "2026-10-08", "alibaba_intl", "邮件", "美国", "P-100", "won", False, False, 15, 26000.00),
    ("Q16", "2026-10-10", "baidu_ppc", "电话", "中国", "P-200", "intentional", False, True, None, 0),
    ("Q17", "2026-10-14", "baidu_ppc", "百度商桥", "中国", "P-100", "received", False, False, None, 0),
    ("Q18", "2026-10-16", "baidu_seo", "网站表单", "泰国", "P-200", "intentional", False, False, None, 0),
    ("Q19", "2026-10-20", "baidu_seo", "电话", "中国", "P-100", "received", False, False, None, 0),
    ("Q20", "2026-10-27", "wechat", "微信", "中国", "P-100", "received", False, False, None, 0),
]

# Spend per channel and month: (fixed fee booked on the 1st, variable spend booked on the 15th).
SPEND = {
    "alibaba_intl": (3000.00, 500.00),  # Gold Supplier membership + P4P: 10,500.00 over three months
    "baidu_ppc": (0.00, 1333.33),  # PPC only; the last month carries the cent: 4,000.00 in all
    "baidu_seo": (600.00, 0.00),  # SEO agency fee: 1,800.00
    "wechat": (0.00, 0.00),
}
CLICKS = {"alibaba_intl": 100, "baidu_ppc": 200, "baidu_seo": 0, "wechat": 0}  # per month

# Product margin per month (the same each month): units, revenue, material, labour, loss, process,
# allocated marketing.
MARGIN = {
    "P-100": (50, 100000.00, 40000.00, 12000.00, 3000.00, 5000.00, 4000.00),
    "P-200": (200, 20000.00, 10000.00, 4000.00, 1000.00, 1000.00, 1433.33),
}

MONTHS = [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
# Every company's newest complete day of data: last complete month 2026-10-01..31, last complete
# ISO week 2026-10-19 (Mon)..25 (Sun), since the 31st is a Saturday.
DATA_THROUGH = date(2026, 10, 31)
# (month, sku) whose revenue has no valid cost card: gross profit and contribution are NULL.
UNCOSTED_MARGIN = (date(2026, 9, 1), "P-200")

# Worked out by hand from the lists above.
EXPECTED = {
    # 20 inquiries, 2 invalid (Q03, Q09) -> 18 valid. Reached intentional or later: alibaba 6
    # (Q01 Q02 Q06 Q07 Q13 Q15), ppc 3 (Q04 Q08 Q16), seo 3 (Q05 Q10 Q18), wechat 1 (Q11) = 13.
    # Effective or later: Q01 Q02 Q07 Q15 Q04 Q08 Q10 = 7. Won: Q01 Q07 Q15 Q04 Q10 = 5.
    "inquiries_total": 20,
    "inquiries_valid": 18,
    "inquiries_intentional": 13,
    "inquiries_effective": 7,
    "inquiries_won": 5,
    # valid per channel: alibaba 7, ppc 4, seo 5, wechat 2.
    # CPI = spend_total / valid: alibaba 10500/7 = 1500, ppc 4000/4 = 1000, seo 1800/5 = 360,
    # wechat 0/2 = 0; all channels 16300/18 = 905.555...
    "cpi_by_channel": {"alibaba_intl": 1500.00, "baidu_ppc": 1000.00, "baidu_seo": 360.00, "wechat": 0.00},
    "cpi_total": 16300.00 / 18,
    # After the second publish the PPC spend doubles (8,000.00): ppc CPI 2000, total 20300/18.
    "cpi_by_channel_updated": {
        "alibaba_intl": 1500.00,
        "baidu_ppc": 2000.00,
        "baidu_seo": 360.00,
        "wechat": 0.00,
    },
    "cpi_total_updated": 20300.00 / 18,
    # Gross margin: P-100 (100000-60000)/100000 = 40 %, P-200 (20000-16000)/20000 = 20 %.
    "gross_margin_rate": {"flagship": 0.40, "supporting": 0.20},
}


def _spend_rows(variable_factor: float) -> list[tuple]:
    rows = []
    for channel, (fixed, variable) in SPEND.items():
        for i, month in enumerate(MONTHS):
            var = variable
            if channel == "baidu_ppc" and i == len(MONTHS) - 1:
                var = 4000.00 - 2 * 1333.33
            var = round(var * (variable_factor if channel == "baidu_ppc" else 1.0), 2)
            if fixed:
                rows.append((month, channel, 0.0, fixed, 0, 0))
            if var or CLICKS[channel]:
                rows.append((month.replace(day=15), channel, var, 0.0, CLICKS[channel] * 20, CLICKS[channel]))
    return rows


def build_serving_db(
    path: Path, *, ppc_factor: float = 1.0, drop_column: tuple[str, str] | None = None
) -> Path:
    """Write a serving database at `path`.

    ppc_factor multiplies the Baidu PPC spend (a "new publish" with other numbers);
    drop_column=(table, column) removes a column to break the datasets that use it.
    """
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "create table dim_channels (channel_id varchar, channel_name_zh varchar, channel_name_en varchar, "
            "channel_group varchar, is_paid boolean)"
        )
        con.executemany("insert into dim_channels values (?, ?, ?, ?, ?)", CHANNELS)
        con.execute(
            "create table dim_products (product_sku varchar, product_name varchar, product_line varchar, "
            "product_class varchar)"
        )
        con.executemany("insert into dim_products values (?, ?, ?, ?)", PRODUCTS)
        con.execute(
            "create table dim_dates as select d::date as date_day, date_trunc('month', d)::date as month_start "
            "from range(date '2026-08-01', date '2026-11-01', interval 1 day) t(d)"
        )
        con.execute(
            "create temp table inq (inquiry_id varchar, received_date date, channel_id varchar, "
            "contact_method varchar, country varchar, product_sku varchar, stage_reached varchar, "
            "is_invalid boolean, is_lost boolean, days_to_won integer, won_revenue_cny decimal(18,2))"
        )
        con.executemany("insert into inq values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", INQUIRIES)
        con.execute(
            """
            create table fct_inquiries as
            with stage as (
                select i.*, c.channel_group, c.is_paid, p.product_line,
                       case stage_reached when 'received' then 0 when 'intentional' then 1
                            when 'effective' then 2 else 3 end as stage_no
                from inq i
                join dim_channels c using (channel_id)
                join dim_products p using (product_sku)
            )
            select
                'default' as company_id, inquiry_id,
                (received_date::timestamp + interval 2 hour) as received_at, received_date,
                channel_id, channel_group, is_paid, contact_method, country, product_sku, product_line,
                stage_reached,
                stage_reached = 'won' as is_won, is_lost,
                not is_invalid and not is_lost and stage_reached <> 'won' as is_open, is_invalid,
                case when is_lost then stage_reached end as lost_stage,
                case when is_lost then '价格太高 Price too high' end as lost_reason,
                case when stage_no >= 1 then received_date::timestamp + interval 3 day end as intentional_at,
                case when stage_no >= 2 then received_date::timestamp + interval 10 day end as effective_at,
                case when stage_no >= 3 then received_date::timestamp + to_days(days_to_won) end as won_at,
                case when is_lost then received_date::timestamp + interval 20 day end as lost_at,
                case when stage_no >= 1 then 3 end as days_to_intentional,
                case when stage_no >= 2 then 10 end as days_to_effective,
                days_to_won,
                won_revenue_cny,
                -- Q10's order has no valid cost card yet: its gross profit is unknown (NULL), not 0.
                case when inquiry_id <> 'Q10' then cast(won_revenue_cny * 0.3 as decimal(18,2)) end
                    as won_gross_profit_cny
            from stage
            """
        )
        con.execute(
            """
            create table mart_inquiry_funnel as
            select company_id, received_date, channel_id, channel_group, is_paid, product_line,
                count(*) as inquiries_total,
                count(*) filter (where is_invalid) as inquiries_invalid,
                count(*) filter (where not is_invalid) as inquiries_valid,
                count(*) filter (where not is_invalid and intentional_at is not null) as inquiries_intentional,
                count(*) filter (where not is_invalid and effective_at is not null) as inquiries_effective,
                count(*) filter (where is_won) as inquiries_won,
                count(*) filter (where is_lost) as inquiries_lost,
                count(*) filter (where is_open) as inquiries_open,
                cast(sum(won_revenue_cny) as decimal(18,2)) as won_revenue_cny,
                coalesce(sum(days_to_won), 0) as sum_days_to_won
            from fct_inquiries
            group by all
            """
        )
        con.execute(
            "create temp table spend (date_day date, channel_id varchar, spend_variable_cny decimal(18,2), "
            "spend_fixed_cny decimal(18,2), impressions bigint, clicks bigint)"
        )
        con.executemany("insert into spend values (?, ?, ?, ?, ?, ?)", _spend_rows(ppc_factor))
        con.execute(
            """
            create table mart_channel_cost_per_inquiry as
            with inquiries as (
                select received_date as date_day, channel_id,
                    count(*) as inquiries_total,
                    count(*) filter (where not is_invalid) as inquiries_valid,
                    count(*) filter (where not is_invalid and intentional_at is not null) as inquiries_intentional,
                    count(*) filter (where not is_invalid and effective_at is not null) as inquiries_effective,
                    count(*) filter (where is_won) as inquiries_won,
                    sum(won_revenue_cny) as won_revenue_cny,
                    sum(won_revenue_cny) filter (where won_gross_profit_cny is not null) as won_revenue_costed_cny,
                    -- unknown when any of the day's won revenue has no cost
                    case when bool_and(won_gross_profit_cny is not null) then sum(won_gross_profit_cny) end
                        as won_gross_profit_cny
                from fct_inquiries group by all
            ),
            spend_days as (
                select date_day, channel_id, sum(spend_variable_cny) as spend_variable_cny,
                    sum(spend_fixed_cny) as spend_fixed_cny, sum(impressions) as impressions,
                    sum(clicks) as clicks
                from spend group by all
            ),
            keys as (select date_day, channel_id from inquiries union select date_day, channel_id from spend_days)
            select 'default' as company_id, k.date_day, k.channel_id, c.channel_group, c.is_paid,
                cast(coalesce(s.spend_variable_cny, 0) as decimal(18,2)) as spend_variable_cny,
                cast(coalesce(s.spend_fixed_cny, 0) as decimal(18,2)) as spend_fixed_cny,
                cast(coalesce(s.spend_variable_cny, 0) + coalesce(s.spend_fixed_cny, 0) as decimal(18,2))
                    as spend_total_cny,
                coalesce(s.impressions, 0) as impressions, coalesce(s.clicks, 0) as clicks,
                coalesce(i.inquiries_total, 0) as inquiries_total,
                coalesce(i.inquiries_valid, 0) as inquiries_valid,
                coalesce(i.inquiries_intentional, 0) as inquiries_intentional,
                coalesce(i.inquiries_effective, 0) as inquiries_effective,
                coalesce(i.inquiries_won, 0) as inquiries_won,
                cast(coalesce(i.won_revenue_cny, 0) as decimal(18,2)) as won_revenue_cny,
                cast(coalesce(i.won_revenue_costed_cny, 0) as decimal(18,2)) as won_revenue_costed_cny,
                cast(case when i.inquiries_total is null then 0 else i.won_gross_profit_cny end as decimal(18,2))
                    as won_gross_profit_cny
            from keys k
            join dim_channels c using (channel_id)
            left join spend_days s using (date_day, channel_id)
            left join inquiries i using (date_day, channel_id)
            """
        )
        con.execute(
            """
            create table mart_channel_cost_per_inquiry_monthly as
            with m as (
                select company_id, date_trunc('month', date_day)::date as month_start, channel_id,
                    channel_group, is_paid,
                    sum(spend_variable_cny) as spend_variable_cny, sum(spend_fixed_cny) as spend_fixed_cny,
                    sum(spend_total_cny) as spend_total_cny, sum(impressions) as impressions,
                    sum(clicks) as clicks, sum(inquiries_total) as inquiries_total,
                    sum(inquiries_valid) as inquiries_valid, sum(inquiries_intentional) as inquiries_intentional,
                    sum(inquiries_effective) as inquiries_effective, sum(inquiries_won) as inquiries_won,
                    sum(won_revenue_cny) as won_revenue_cny, sum(won_revenue_costed_cny) as won_revenue_costed_cny,
                    case when bool_and(won_gross_profit_cny is not null) then sum(won_gross_profit_cny) end
                        as won_gross_profit_cny
                from mart_channel_cost_per_inquiry group by all
            )
            select *,
                cast(spend_total_cny / nullif(inquiries_valid, 0) as decimal(18,2)) as cost_per_inquiry_cny,
                cast(spend_total_cny / nullif(inquiries_intentional, 0) as decimal(18,2)) as cost_per_intentional_cny,
                cast(spend_total_cny / nullif(inquiries_effective, 0) as decimal(18,2)) as cost_per_effective_cny,
                cast(spend_total_cny / nullif(inquiries_won, 0) as decimal(18,2)) as cost_per_won_cny,
                won_revenue_cny / nullif(spend_total_cny, 0) as roas,
                (won_gross_profit_cny - spend_total_cny) / nullif(spend_total_cny, 0) as roi,
                inquiries_total / nullif(clicks, 0) as click_to_inquiry_rate,
                inquiries_valid / nullif(sum(inquiries_valid) over (partition by company_id, month_start), 0)
                    as inquiry_share
            from m
            """
        )
        con.execute(
            "create temp table margin (product_sku varchar, units bigint, revenue_cny decimal(18,2), "
            "material_cost_cny decimal(18,2), labor_cost_cny decimal(18,2), loss_cost_cny decimal(18,2), "
            "process_cost_cny decimal(18,2), allocated_marketing_cost_cny decimal(18,2))"
        )
        con.executemany(
            "insert into margin values (?, ?, ?, ?, ?, ?, ?, ?)",
            [(sku, *values) for sku, values in MARGIN.items()],
        )
        con.execute(
            """
            create table mart_product_margin as
            with months as (select distinct month_start from dim_dates),
            inquiries as (
                select date_trunc('month', received_date)::date as month_start, product_sku,
                    count(*) filter (where not is_invalid) as inquiries_valid,
                    count(*) filter (where is_won) as inquiries_won
                from fct_inquiries group by all
            )
            select 'default' as company_id, m.month_start, p.product_sku, p.product_name, p.product_line,
                g.units, g.revenue_cny, g.material_cost_cny, g.labor_cost_cny, g.loss_cost_cny,
                g.process_cost_cny,
                cast(g.material_cost_cny + g.labor_cost_cny + g.loss_cost_cny + g.process_cost_cny
                     as decimal(18,2)) as cogs_cny,
                cast(g.revenue_cny - (g.material_cost_cny + g.labor_cost_cny + g.loss_cost_cny
                     + g.process_cost_cny) as decimal(18,2)) as gross_profit_cny,
                coalesce(i.inquiries_valid, 0) as inquiries_valid,
                coalesce(i.inquiries_won, 0) as inquiries_won,
                g.allocated_marketing_cost_cny,
                cast(g.revenue_cny - (g.material_cost_cny + g.labor_cost_cny + g.loss_cost_cny
                     + g.process_cost_cny) - g.allocated_marketing_cost_cny as decimal(18,2)) as contribution_cny,
                p.product_class
            from months m
            cross join dim_products p
            join margin g using (product_sku)
            left join inquiries i on i.month_start = m.month_start and i.product_sku = p.product_sku
            """
        )
        _add_reporting_periods(con)
        _add_overview(con)
        _add_quality_history(con)
        _add_invalid_inquiries(con)
        _add_traffic(con)
        if drop_column is not None:
            table, column = drop_column
            con.execute(f'alter table {table} drop column "{column}"')
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def _add_invalid_inquiries(con: duckdb.DuckDBPyConnection) -> None:
    """mart_invalid_inquiries (issue 11): the two invalid inquiries, the register's 无效 confirmed by a
    rule (Q03) or not (Q09), and Q13, flagged by a rule in October but worked by sales (valid)."""
    con.execute(
        """
        create table mart_invalid_inquiries as
        select f.company_id, f.inquiry_id, f.inquiry_id as inquiry_id_as_written, f.received_date,
            date_trunc('month', f.received_date)::date as month_start, f.channel_id, f.country,
            f.is_invalid, v.basis as validity_basis, v.basis_label as validity_basis_label,
            v.rule_id, v.rule_label, v.rule_type as invalid_rule_type, v.rules_fired, v.rule_ids as rule_ids_fired,
            cast(null as varchar) as duplicate_of_inquiry_id, cast(null as integer) as days_since_previous,
            v.register_label as register_stage_label, v.register_reason as register_invalid_reason,
            v.basis <> 'rule_and_register' as register_label_differs,
            v.company as customer_company, '王先生' as contact_name, v.email as email_masked,
            v.phone as phone_masked, v.message as message_excerpt
        from fct_inquiries f
        join (values
            ('Q03', 'rule_and_register', '规则与登记表一致 Rule and register agree', 'spam_advertising',
             '垃圾广告 Spam advertising', 'regex', 2, 'spam_advertising, register_invalid', '无效', '垃圾询盘',
             'Lucky Star Ltd', 'u***@mailinator.com', null, 'Best online casino bonus'),
            ('Q09', 'register_only', '仅登记表标无效 Register only', 'register_invalid',
             '登记表标为无效 Marked invalid in the register', 'register_stage', 1, 'register_invalid', '无效',
             '同行套价', '温州某阀门有限公司', null, '***5678', '请问出厂价多少？'),
            ('Q13', 'overridden_by_progress', '规则命中但已跟进（计为有效） Rule overridden by progress (valid)',
             'pitch_company_web', '推销公司 Sales-pitch company name', null, 1, 'pitch_company_web', '意向', null,
             '智慧水务网络科技有限公司', 'l***@example.mx', null, 'Please quote ball valves')
        ) v(inquiry_id, basis, basis_label, rule_id, rule_label, rule_type, rules_fired, rule_ids, register_label,
            register_reason, company, email, phone, message)
        using (inquiry_id)
        """
    )


def _add_reporting_periods(con: duckdb.DuckDBPyConnection) -> None:
    """dim_companies, the period flags, cost coverage, cohort maturity and the fee schedule (issue 8).

    Derived from the tables above, per company_id, with the date rules of the data contract:
    last complete month = the latest month whose last day <= data through; last complete week =
    the latest ISO week (Mon-Sun) whose Sunday <= data through.
    """
    con.execute(
        f"""
        create table dim_companies as
        with c as (
            select distinct company_id, date '{DATA_THROUGH.isoformat()}' as data_through_date from fct_inquiries
        ),
        m as (
            select *,
                case when data_through_date = last_day(data_through_date) then data_through_date
                     else (date_trunc('month', data_through_date) - interval 1 day)::date end as month_end,
                (data_through_date - (isodow(data_through_date) % 7)::integer) as week_end
            from c
        )
        select company_id, data_through_date,
            date_trunc('month', month_end)::date as last_complete_month_start, month_end as last_complete_month_end,
            (week_end - 6) as last_complete_week_start, week_end as last_complete_week_end
        from m
        """
    )
    flags = {
        "mart_channel_cost_per_inquiry": ("date_day", True),
        "mart_inquiry_funnel": ("received_date", True),
        "mart_channel_cost_per_inquiry_monthly": ("month_start", False),
        "mart_product_margin": ("month_start", False),
    }
    for table, (day, weekly) in flags.items():
        con.execute(f"alter table {table} add column is_last_complete_month boolean")
        con.execute(
            f"update {table} t set is_last_complete_month = t.{day} between c.last_complete_month_start "
            f"and c.last_complete_month_end from dim_companies c where c.company_id = t.company_id"
        )
        if weekly:
            con.execute(f"alter table {table} add column is_last_complete_week boolean")
            con.execute(
                f"update {table} t set is_last_complete_week = t.{day} between c.last_complete_week_start "
                f"and c.last_complete_week_end from dim_companies c where c.company_id = t.company_id"
            )
    # Product margin: the month and product of UNCOSTED_MARGIN have revenue but no valid cost card.
    month, sku = UNCOSTED_MARGIN
    con.execute("alter table mart_product_margin add column revenue_costed_cny decimal(18,2)")
    con.execute("update mart_product_margin set revenue_costed_cny = revenue_cny")
    con.execute(
        "update mart_product_margin set revenue_costed_cny = 0, cogs_cny = null, gross_profit_cny = null, "
        "contribution_cny = null where month_start = ? and product_sku = ?",
        [month, sku],
    )
    # The monthly funnel by received month (cohort) with its maturity. Stand-in rule for these
    # tests: a cohort is mature when at most a quarter of its valid inquiries are still open.
    con.execute(
        """
        create table mart_inquiry_funnel_monthly as
        with m as (
            select company_id, date_trunc('month', received_date)::date as month_start,
                sum(inquiries_total) as inquiries_total, sum(inquiries_valid) as inquiries_valid,
                sum(inquiries_won) as inquiries_won, sum(inquiries_lost) as inquiries_lost,
                sum(inquiries_open) as inquiries_open, bool_or(is_last_complete_month) as is_last_complete_month
            from mart_inquiry_funnel group by all
        )
        select *, 1.0 * inquiries_open / nullif(inquiries_valid, 0) as open_share,
            coalesce(1.0 * inquiries_open / nullif(inquiries_valid, 0) <= 0.25, false) as is_cohort_mature
        from m
        """
    )
    # The contracts' full fee schedule for planning, past the data-through date: each fixed fee of
    # the spend table is a contract running 2026-08-01..12-31, its fee booked on each month's 1st.
    con.execute(
        """
        create table mart_channel_fee_schedule as
        with fees as (
            select distinct s.channel_id, ch.channel_group, s.spend_fixed_cny
            from spend s join dim_channels ch using (channel_id) where s.spend_fixed_cny > 0
        )
        select c.company_id, f.channel_id, f.channel_group, date '2026-08-01' as contract_start,
            date '2026-12-31' as contract_end, d::date as date_day, d::date as month_start,
            cast(f.spend_fixed_cny as decimal(18,2)) as fee_cny, d::date <= c.data_through_date as is_reported
        from dim_companies c
        cross join fees f
        cross join range(date '2026-08-01', date '2027-01-01', interval 1 month) t(d)
        """
    )


def _add_quality_history(con: duckdb.DuckDBPyConnection) -> None:
    """The quality tables publish copies from the history store (xunpan/quality/history.py).

    Two gate runs of company default: the first passed; the second warned once (click-to-inquiry
    rate above 1 on the cost mart) and recorded one refused file (a negative cost on row 3),
    refused an hour ago so it is within the dashboard's last 30 days. Freshness and days covered
    for ad spend and the register, as of the second run; October is the last complete month.
    """
    from xunpan.quality.history import create_tables

    create_tables(con, keys=False)
    through = DATA_THROUGH.isoformat()
    con.execute(
        f"""
        insert into quality_runs values
        ('run-1', 'default', date '{through}' - 1, timestamp '2026-11-01 22:05:00', 'passed', '通过 Passed',
         true, 200, 0, 0, 0, date '{through}' - 1, 'file:///docs/index.html'),
        ('run-2', 'default', date '{through}', timestamp '2026-11-02 22:05:00', 'warned', '警告 Warned',
         true, 200, 0, 1, 1, date '{through}', 'file:///docs/run-2.html')
        """
    )
    con.execute(
        f"""
        insert into quality_expectation_results values
        ('run-1', 'default', date '{through}' - 1, timestamp '2026-11-01 22:05:00', 'mart_channel_cost_per_inquiry',
         'expect_column_values_to_be_between', 'click_to_inquiry_rate', 'warning', 'passed', '通过 Passed',
         '0% unexpected', 0, 40, null, null),
        ('run-2', 'default', date '{through}', timestamp '2026-11-02 22:05:00', 'mart_channel_cost_per_inquiry',
         'expect_column_values_to_be_between', 'click_to_inquiry_rate', 'warning', 'warned', '警告 Warned',
         '2.5% unexpected', 1, 40, 'Phone and chat inquiries can outnumber clicks.', 'file:///docs/run-2.html'),
        ('run-2', 'default', date '{through}', timestamp '2026-11-02 22:05:00', 'fct_inquiries',
         'expect_column_values_to_not_be_null', 'inquiry_id', 'blocking', 'passed', '通过 Passed',
         '0% unexpected', 0, 20, null, null)
        """
    )
    con.execute(
        f"""
        insert into quality_freshness values
        ('run-2', 'default', date '{through}', timestamp '2026-11-02 22:05:00', 'ad_spend', '推广消费 Ad spend',
         date '{through}', 0, 3, 3, timestamp '2026-11-02 22:00:00', 'fresh', '及时 Fresh'),
        ('run-2', 'default', date '{through}', timestamp '2026-11-02 22:05:00', 'inquiries', '询盘登记表 Inquiry register',
         date '{through}' - 5, 5, 3, 2, timestamp '2026-11-02 22:00:00', 'stale', '过期 Stale')
        """
    )
    con.execute(
        """
        insert into quality_input_coverage values
        ('run-2', 'default', 'ad_spend', '推广消费 Ad spend', date '2026-10-01', 31, 31),
        ('run-2', 'default', 'inquiries', '询盘登记表 Inquiry register', date '2026-10-01', 31, 26),
        ('run-2', 'default', 'ad_spend', '推广消费 Ad spend', date '2026-09-01', 30, 30)
        """
    )
    con.execute(
        """
        insert into quality_quarantined_files values
        ('quarantine/negative_cost.csv', 'default', 'negative_cost.csv', 'ad_spend', '推广消费 Ad spend',
         'negative cost', 3, '消费', '-12.50', 'an amount >= 0', 1,
         cast(now() as timestamp) - interval 1 hour, null, 'run-2')
        """
    )


def publish(serving_dir: Path, name: str, **kwargs) -> Path:
    """Build <serving_dir>/<name>.duckdb and atomically repoint current.duckdb at it, as publish does."""
    serving_dir.mkdir(parents=True, exist_ok=True)
    target = build_serving_db(serving_dir / f"{name}.duckdb", **kwargs)
    link = serving_dir / "current.duckdb"
    tmp_link = serving_dir / f".current.{name}.tmp"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(target.name, tmp_link)
    os.replace(tmp_link, link)
    return target


def _add_overview(con: duckdb.DuckDBPyConnection) -> None:
    """The overview marts (issue 15) for the dashboard 经营总览 Overview, derived from the tables above.

    Stand-ins with the dbt marts' columns: complete ISO weeks up to data through, the week before
    by a self-join, no trade calendar (no holidays), no targets (NULL), channels ranked per week.
    """
    con.execute(
        """
        create table mart_overview_weekly as
        with w as (
            select company_id, date_trunc('week', date_day)::date as week_start,
                sum(inquiries_valid)::integer as inquiries_valid,
                sum(inquiries_intentional)::integer as inquiries_intentional,
                sum(spend_total_cny)::decimal(18,2) as spend_total_cny
            from mart_channel_cost_per_inquiry group by all
        ),
        d as (
            select company_id, date_trunc('week', won_at)::date as week_start, count(*)::integer as deals_won,
                sum(won_revenue_cny)::decimal(18,2) as deals_won_revenue_cny
            from fct_inquiries where is_won group by all
        )
        select w.company_id, w.week_start, w.week_start + 6 as week_end, isoyear(w.week_start) as iso_year,
            week(w.week_start) as iso_week, w.week_start = c.last_complete_week_start as is_last_complete_week,
            w.week_start + 6 >= c.last_complete_month_start as is_from_last_complete_month,
            w.inquiries_valid, w.inquiries_intentional, coalesce(d.deals_won, 0) as deals_won,
            coalesce(d.deals_won_revenue_cny, 0) as deals_won_revenue_cny, w.spend_total_cny,
            w.spend_total_cny / nullif(w.inquiries_valid, 0) as cost_per_inquiry_cny,
            5 as working_days, false as has_public_holiday, null::varchar as holiday_names_zh,
            null::varchar as holiday_names_en, false as is_canton_fair_week,
            '两周都无假期 No holiday in either week' as like_for_like_note, w.week_start - 364 as last_year_week_start
        from w join dim_companies c using (company_id) left join d using (company_id, week_start)
        where w.week_start + 6 <= c.data_through_date
        """
    )
    con.execute(
        """
        create table mart_overview_kpis_weekly as
        with m as (
            select w.*, p.inquiries_valid as last_valid, p.spend_total_cny as last_spend,
                p.inquiries_intentional as last_intentional
            from mart_overview_weekly w
            left join mart_overview_weekly p on p.company_id = w.company_id and p.week_start = w.week_start - 7
        ),
        u as (
            select *, 'funnel' as metric_group, 2 as metric_order, '合格询盘 Valid inquiries' as metric_name,
                'higher' as better_when, inquiries_valid::decimal(20,6) as value_this_week,
                last_valid::decimal(20,6) as value_last_week from m
            union all
            select *, 'rates', 6, '意向率 Intentional rate', 'higher',
                (inquiries_intentional / nullif(inquiries_valid, 0))::decimal(20,6),
                (last_intentional / nullif(last_valid, 0))::decimal(20,6) from m
            union all
            select *, 'costs', 9, '总花费 Spend (CNY)', 'lower', spend_total_cny::decimal(20,6), last_spend::decimal(20,6) from m
        )
        select company_id, week_start, week_end, is_last_complete_week, is_from_last_complete_month,
            like_for_like_note, metric_group, metric_order, metric_name, better_when, value_this_week,
            value_last_week, null::decimal(20,6) as value_last_year,
            case when value_last_week is null then '— 无可比 N/A'
                 when value_this_week = value_last_week then '= 持平 same'
                 when (value_this_week > value_last_week) = (better_when = 'higher') then '好转 better'
                 else '变差 worse' end as vs_last_week_text,
            '— 无可比 N/A' as vs_last_year_text
        from u
        """
    )
    con.execute(
        """
        create table mart_overview_channels_weekly as
        with c as (
            select m.company_id, date_trunc('week', m.date_day)::date as week_start, m.channel_id,
                sum(m.inquiries_valid)::integer as inquiries_valid, sum(m.spend_total_cny)::decimal(18,2) as spend_total_cny
            from mart_channel_cost_per_inquiry m group by all
        )
        select c.*, w.week_end, w.is_last_complete_week, w.is_from_last_complete_month,
            ch.channel_name_zh || ' ' || ch.channel_name_en as channel_name,
            c.spend_total_cny / nullif(c.inquiries_valid, 0) as cost_per_inquiry_cny,
            row_number() over (partition by c.company_id, c.week_start order by c.inquiries_valid desc, c.channel_id)
                as rank_by_valid_inquiries,
            -- Stand-in: ranks every channel with valid inquiries (the last complete week's only
            -- one, SEO, has no spend booked that week here; the dbt mart ranks paid ones only).
            case when c.inquiries_valid > 0 then row_number() over (
                partition by c.company_id, c.week_start, c.inquiries_valid > 0
                order by c.spend_total_cny / nullif(c.inquiries_valid, 0), c.channel_id) end as rank_by_cost_per_inquiry,
            0 as last_week_inquiries_valid, '— 无可比 N/A' as valid_vs_last_week_text,
            '— 无可比 N/A' as cost_vs_last_week_text
        from c
        join mart_overview_weekly w using (company_id, week_start)
        join dim_channels ch using (channel_id)
        where c.inquiries_valid > 0 or c.spend_total_cny > 0
        """
    )
    con.execute(
        """
        create table mart_overview_month_to_date as
        select w.company_id, w.week_start, w.week_end, w.is_last_complete_week, w.is_from_last_complete_month,
            date_trunc('month', w.week_end)::date as month_start, 1 as measure_order,
            '合格询盘 Valid inquiries' as measure_name,
            sum(m.inquiries_valid)::decimal(18,2) as actual_month_to_date, null::decimal(18,2) as target_month,
            null::double as target_achieved_share,
            day(w.week_end) / day(last_day(w.week_end)) as month_elapsed_share, '— 无目标 no target' as pace_text
        from mart_overview_weekly w
        join mart_channel_cost_per_inquiry m
            on m.company_id = w.company_id and m.date_day between date_trunc('month', w.week_end) and w.week_end
        group by all
        """
    )


def _add_traffic(con: duckdb.DuckDBPyConnection) -> None:
    """The traffic marts (issue 11) with the dbt marts' columns, derived from the tables above.

    Stand-ins: Alibaba.com's back-office on the days the cost mart has clicks (exposures 40 x clicks,
    visitors 80 % of clicks, one inquiry more than the register), Baidu Tongji visitors for the PPC
    and SEO channels, one PPC keyword carrying the Baidu spend and inquiries, and the platform-vs-
    register reconciliation of alibaba_intl (platform = register + 1 on the 15th).
    """
    periods = """
        d.date_day between c.last_complete_month_start and c.last_complete_month_end as is_last_complete_month,
        d.date_day between c.last_complete_week_start and c.last_complete_week_end as is_last_complete_week
    """
    con.execute(
        f"""
        create table mart_channel_traffic_funnel as
        select d.company_id, d.date_day, d.channel_id, d.channel_group, d.is_paid,
            d.channel_group = 'b2b_platform' as has_platform_statistics,
            case when d.clicks > 0 then d.clicks * 40 end::bigint as exposures,
            nullif(d.clicks, 0)::bigint as clicks,
            case when d.clicks > 0 then d.clicks * 8 // 10 end::bigint as visitors,
            case when d.channel_group <> 'b2b_platform' and d.clicks > 0 then d.clicks end::bigint as sessions,
            case when d.channel_group = 'b2b_platform' then d.inquiries_total + 1 end::bigint as inquiries_reported,
            case when d.channel_group = 'b2b_platform' then 2 end::bigint as tm_consultations,
            d.inquiries_total::bigint as inquiries_total, d.inquiries_valid::bigint as inquiries_valid,
            d.inquiries_intentional::bigint as inquiries_intentional,
            d.inquiries_effective::bigint as inquiries_effective, d.inquiries_won::bigint as inquiries_won,
            d.won_revenue_cny, d.spend_variable_cny, d.spend_fixed_cny, d.spend_total_cny,
            {periods}
        from mart_channel_cost_per_inquiry d join dim_companies c using (company_id)
        """
    )
    con.execute(
        """
        create table mart_channel_traffic as
        select d.company_id, d.date_day, d.channel_id, d.channel_group,
            case when d.channel_group = 'b2b_platform' then 'b2b_platform' else 'web_analytics' end as traffic_source,
            case when d.channel_group = 'b2b_platform' then d.channel_id when d.channel_id = 'baidu_ppc' then '百度推广'
                 else '百度' end as source,
            case when d.channel_group = 'b2b_platform' then 'b2b_platform' when d.channel_id = 'baidu_ppc' then '付费搜索'
                 else '搜索引擎' end as medium,
            case when d.channel_group = 'b2b_platform' then d.exposures end as exposures,
            case when d.channel_group = 'b2b_platform' then d.clicks end as clicks,
            d.visitors, d.sessions, d.sessions * 3 as pageviews, d.inquiries_reported, d.tm_consultations,
            case when d.sessions is not null then d.inquiries_total end as conversions,
            d.is_last_complete_month, d.is_last_complete_week
        from mart_channel_traffic_funnel d
        where d.visitors is not null
        """
    )
    con.execute(
        f"""
        create table mart_keyword_performance as
        with spend as (
            select company_id, date_day, channel_id, spend_variable_cny as spend_cny, impressions, clicks
            from mart_channel_cost_per_inquiry where channel_id = 'baidu_ppc' and clicks > 0
        ),
        asked as (
            select company_id, received_date as date_day, channel_id, count(*) as inquiries_total,
                count(*) filter (where not is_invalid) as inquiries_valid,
                count(*) filter (where is_won) as inquiries_won
            from fct_inquiries where channel_id = 'baidu_ppc' group by all
        ),
        d as (
            select coalesce(s.company_id, a.company_id) as company_id, coalesce(s.date_day, a.date_day) as date_day,
                'baidu_ppc' as channel_id, s.spend_cny, s.impressions, s.clicks, a.inquiries_total, a.inquiries_valid,
                a.inquiries_won
            from spend s full join asked a using (company_id, date_day)
        )
        select d.company_id, d.date_day, d.channel_id, '液压阀价格' as keyword_key, '液压阀价格' as keyword,
            d.spend_cny is not null as has_keyword_spend, coalesce(d.spend_cny, 0)::decimal(18,2) as spend_cny,
            d.impressions::bigint as impressions, d.clicks::bigint as clicks,
            coalesce(d.inquiries_total, 0)::bigint as inquiries_total,
            coalesce(d.inquiries_valid, 0)::bigint as inquiries_valid,
            coalesce(d.inquiries_won, 0)::bigint as inquiries_won, 0::bigint as inquiries_by_landing_page,
            d.spend_cny / nullif(d.inquiries_valid, 0) as cost_per_inquiry_cny,
            {periods}
        from d join dim_companies c using (company_id)
        """
    )
    con.execute(
        f"""
        create table mart_inquiry_reconciliation as
        with days as (
            select company_id, channel_id, received_date as date_day, count(*) as inquiries_registered
            from fct_inquiries where channel_id = 'alibaba_intl' group by all
        )
        select d.company_id, d.channel_id, 'b2b_platform' as channel_group, d.date_day,
            'America/Los_Angeles' as reporting_timezone, 1 as recording_lag_days,
            (d.inquiries_registered + case when day(d.date_day) = 15 then 1 else 0 end)::bigint as inquiries_platform,
            d.inquiries_registered::bigint as inquiries_registered,
            d.inquiries_registered::bigint as inquiries_registered_unshifted, true as is_settled,
            (case when day(d.date_day) = 15 then 1 else 0 end)::bigint as inquiry_gap,
            (case when day(d.date_day) = 15 then 1 else 0 end) / (d.inquiries_registered + 1.0) as inquiry_gap_share,
            {periods}
        from days d join dim_companies c using (company_id)
        """
    )
