-- One row per company x complete ISO week x measure: the month to date as of the week's Sunday
-- (from the 1st of the Sunday's month), against the month's targets (stg_raw__targets, the
-- company's rows added up: channel and group rows never overlap). Valid inquiries count by
-- received date; deals, won revenue and gross profit by won date; spend includes the fixed fees
-- of the elapsed days. Gross profit is NULL when a deal's production cost is unknown; a target
-- the sheet does not set is NULL (no target), never 0.
with weeks as (

    select company_id, week_start, week_end, is_last_complete_week, is_from_last_complete_month
    from {{ ref('mart_overview_weekly') }}

),

daily as (

    select company_id, date_day, inquiries_valid, spend_total_cny
    from {{ ref('mart_channel_cost_per_inquiry') }}

),

won_deals as (

    {{ won_deals() }}

),

periods as (

    select
        weeks.*,
        {{ month_start('weeks.week_end') }} as month_start,
        {{ add_days(month_start(dbt.dateadd('month', 1, month_start('weeks.week_end'))), '-1') }} as month_end
    from weeks

),

inquiries_mtd as (

    select periods.company_id, periods.week_start, sum(daily.inquiries_valid) as inquiries_valid, sum(daily.spend_total_cny) as spend_total_cny
    from periods
    inner join daily
        on periods.company_id = daily.company_id
        and daily.date_day between periods.month_start and periods.week_end
    group by periods.company_id, periods.week_start

),

deals_mtd as (

    select
        periods.company_id,
        periods.week_start,
        {{ won_deal_totals('won_deals') }}
    from periods
    inner join won_deals
        on periods.company_id = won_deals.company_id
        and won_deals.won_date between periods.month_start and periods.week_end
    group by periods.company_id, periods.week_start

),

targets as (

    select
        company_id,
        target_month,
        sum(target_inquiries) as target_inquiries,
        sum(target_won) as target_won,
        sum(target_revenue_cny) as target_revenue_cny,
        sum(budget_cny) as budget_cny
    from {{ ref('stg_raw__targets') }}
    group by company_id, target_month

),

combined as (

    select
        periods.company_id,
        periods.week_start,
        periods.week_end,
        periods.is_last_complete_week,
        periods.is_from_last_complete_month,
        periods.month_start,
        periods.week_end as mtd_through,
        {{ safe_divide(days_between('periods.month_start', 'periods.week_end') ~ ' + 1', days_between('periods.month_start', 'periods.month_end') ~ ' + 1') }} as month_elapsed_share,
        cast(coalesce(inquiries_mtd.inquiries_valid, 0) as numeric(18, 2)) as inquiries_valid,
        cast(coalesce(inquiries_mtd.spend_total_cny, 0) as numeric(18, 2)) as spend_total_cny,
        cast(coalesce(deals_mtd.deals_won, 0) as numeric(18, 2)) as deals_won,
        cast(coalesce(deals_mtd.won_revenue_cny, 0) as numeric(18, 2)) as won_revenue_cny,
        cast(case when deals_mtd.company_id is null then 0 else deals_mtd.won_gross_profit_cny end as numeric(18, 2)) as won_gross_profit_cny,
        cast(targets.target_inquiries as numeric(18, 2)) as target_inquiries,
        cast(targets.target_won as numeric(18, 2)) as target_won,
        cast(targets.target_revenue_cny as numeric(18, 2)) as target_revenue_cny,
        cast(targets.budget_cny as numeric(18, 2)) as budget_cny
    from periods
    left join inquiries_mtd
        on periods.company_id = inquiries_mtd.company_id
        and periods.week_start = inquiries_mtd.week_start
    left join deals_mtd
        on periods.company_id = deals_mtd.company_id
        and periods.week_start = deals_mtd.week_start
    left join targets
        on periods.company_id = targets.company_id
        and periods.month_start = targets.target_month

),

{%- set measures = [
    (1, 'inquiries_valid', '合格询盘 Valid inquiries', 'target_inquiries', 'higher'),
    (2, 'deals_won', '成交单数（按成交日） Deals won (by won date)', 'target_won', 'higher'),
    (3, 'won_revenue_cny', '成交金额 Won revenue (CNY)', 'target_revenue_cny', 'higher'),
    (4, 'won_gross_profit_cny', '成交毛利 Gross profit (CNY)', none, 'higher'),
    (5, 'spend_total_cny', '花费 / 预算 Spend vs budget (CNY)', 'budget_cny', 'lower'),
] %}

unpivoted as (

    {%- for order, column, name, target, better in measures %}
    select
        company_id,
        week_start,
        week_end,
        is_last_complete_week,
        is_from_last_complete_month,
        month_start,
        mtd_through,
        month_elapsed_share,
        {{ order }} as measure_order,
        '{{ column }}' as measure_key,
        '{{ name }}' as measure_name,
        '{{ better }}' as better_when,
        {{ column }} as actual_month_to_date,
        {% if target %}{{ target }}{% else %}cast(null as numeric(18, 2)){% endif %} as target_month
    from combined
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        unpivoted.*,
        {{ safe_divide('actual_month_to_date', 'target_month') }} as target_achieved_share,
        -- On pace: the share of the target reached against the share of the month gone by. For
        -- the budget, spending slower than the month passes is the good side.
        case
            when target_month is null or target_month = 0 or actual_month_to_date is null then '— 无目标 no target'
            when better_when = 'higher' and actual_month_to_date / target_month >= month_elapsed_share then '▲ 达到进度 on pace'
            when better_when = 'higher' then '▼ 落后进度 behind pace'
            when actual_month_to_date / target_month <= month_elapsed_share then '✓ 预算进度内 within budget pace'
            else '▲ 超出预算进度 over budget pace'
        end as pace_text
    from unpivoted

)

select * from final
