{#- Incremental by day, as int_ad_spend_converted: a run rebuilds the company-days that have
    rows from a file loaded after this table's newest row (latest load wins per shop and day, so
    a restated export wins its days) and days whose platform maps to another channel since;
    every other day's rows stay as they are.
    `dbt build --full-refresh` rebuilds every day (a changed model, a backfill after raw files
    were removed by hand). On Spark (no delete+insert on plain Parquet) a table. -#}
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key=['company_id', 'date_day'],
        on_schema_change='append_new_columns',
    )
}}
{#- A warehouse built before this model was incremental has no load_seq column: that first
    incremental run takes every day (and adds the columns), the next ones only touched days. -#}
{%- set incremental = incremental_with_columns(['load_seq']) -%}
-- One row per company x platform day x platform: the B2B back-office statistics summed over the
-- company's shops on that platform, with the channel the platform is (alibaba_intl,
-- alibaba_1688, made_in_china, hc360; a platform no channel stands for, e.g. a taught layout's
-- new name, is channel `unknown`, kept). The day is the platform's own reporting day (var
-- platform_reporting_timezones: US Pacific for Alibaba.com). A measure no shop's export has a
-- column for stays NULL (unknown).
with
{%- if incremental %}

touched_days as (

    select company_id, stat_date as date_day
    from {{ ref('stg_raw__platform_traffic') }}
    where {{ loaded_after_this() }}

    union

    -- a platform that is another channel since (a channel added to dim_channels)
    select built.company_id, built.date_day
    from {{ this }} as built
    left join {{ ref('dim_channels') }} as channels
        on built.platform = channels.channel_id
    where built.channel_id <> coalesce(channels.channel_id, 'unknown')

),
{%- endif %}

platform_rows as (

    select platform_rows.*
    from {{ ref('stg_raw__platform_traffic') }} as platform_rows
    {%- if incremental %}
    inner join touched_days
        on platform_rows.company_id = touched_days.company_id
        and platform_rows.stat_date = touched_days.date_day
    {%- endif %}

),

final as (

    select
        platform_rows.company_id,
        platform_rows.stat_date as date_day,
        platform_rows.platform,
        coalesce(channels.channel_id, 'unknown') as channel_id,
        count(*) as shops,
        sum(platform_rows.exposures) as exposures,
        sum(platform_rows.clicks) as clicks,
        sum(platform_rows.visitors) as visitors,
        sum(platform_rows.inquiries_reported) as inquiries_reported,
        sum(platform_rows.tm_consultations) as tm_consultations,
        -- the newest file the day's rows came from, and the dbt invocation that wrote the row
        max(platform_rows.load_seq) as load_seq,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as built_by_invocation_id
    from platform_rows
    left join {{ ref('dim_channels') }} as channels
        on platform_rows.platform = channels.channel_id
    group by platform_rows.company_id, platform_rows.stat_date, platform_rows.platform, coalesce(channels.channel_id, 'unknown')

)

select * from final
