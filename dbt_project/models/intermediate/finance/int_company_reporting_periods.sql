-- One row per company: its data-through date (the newest business day any of its daily sources
-- has data for, never after the run's business date when it has one) and the reporting
-- periods derived from it. The only place these dates are computed; everything else joins here.
-- Daily sources: ad spend, B2B platform and web statistics, inquiries received (every register
-- import) and orders. Contracts, cost cards and FX rates are schedules, not daily data: a
-- contract running to December says nothing about which days have happened.
{# The business date: var('business_date') (unit tests, a build by hand) or the daily run's
    XUNPAN_BUSINESS_DATE (xunpan.transform.dbt_build). The run passes it in the environment, not
    --vars, because a change of --vars makes dbt re-parse the whole project (12-28 s a run, measured);
    a changed env_var re-parses only this file. #}
{% set run_business_date = var('business_date', none) or env_var('XUNPAN_BUSINESS_DATE', '') %}
with daily_source_days as (

    select company_id, spend_date as data_day
    from {{ ref('stg_raw__ad_spend') }}

    union all

    select {{ company_id_or_default('company_id') }} as company_id, cast(stat_date as date) as data_day
    from {{ source('raw', 'platform_traffic') }}

    union all

    select {{ company_id_or_default('company_id') }} as company_id, cast(visit_date as date) as data_day
    from {{ source('raw', 'web_traffic') }}

    union all

    select {{ company_id_or_default('company_id') }} as company_id, {{ business_date('received_at') }} as data_day
    from {{ source('raw', 'inquiries') }}

    union all

    select company_id, order_date as data_day
    from {{ ref('stg_raw__orders') }}

),

capped_days as (

    select company_id, data_day
    from daily_source_days
    where data_day is not null
    {%- if run_business_date %}
        and data_day <= cast('{{ run_business_date }}' as date)
    {%- endif %}

),

companies as (

    select company_id from daily_source_days
    union
    select company_id from {{ ref('stg_raw__channel_contracts') }}
    union
    select company_id from {{ ref('stg_raw__product_costs') }}

),

data_through as (

    select company_id, max(data_day) as data_through_date
    from capped_days
    group by company_id

),

periods as (

    select
        companies.company_id,
        data_through.data_through_date,
        -- The day after data-through starts a month exactly when data-through is a month's last
        -- day; the day before that month's start is the last day of the last complete month.
        {{ add_days(month_start(add_days('data_through.data_through_date', '1')), '-1') }} as last_complete_month_end,
        -- Likewise for ISO weeks (date_trunc('week') is Monday on DuckDB and Postgres).
        {{ add_days('cast(' ~ dbt.date_trunc('week', add_days('data_through.data_through_date', '1')) ~ ' as date)', '-1') }} as last_complete_week_end
    from companies
    left join data_through
        on companies.company_id = data_through.company_id

),

final as (

    select
        company_id,
        data_through_date,
        {{ month_start('last_complete_month_end') }} as last_complete_month_start,
        last_complete_month_end,
        {{ add_days('last_complete_week_end', '-6') }} as last_complete_week_start,
        last_complete_week_end
    from periods

)

select * from final
