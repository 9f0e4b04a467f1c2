{#- Incremental by day, following int_ad_spend_converted: that model decides which company-days
    change (new or restated exports, a restated FX rate, a platform mapped to another channel) and
    rebuilds them; this one rebuilds the same days, keeps every other day's rows as they are, and
    remembers per row which invocation built the spend day it was summed from. `dbt build
    --full-refresh` rebuilds every day. On Spark (no delete+insert on plain Parquet) a table. -#}
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key=['company_id', 'date_day'],
        on_schema_change='append_new_columns',
        post_hook="{{ delete_keyword_days_without_spend() }}",
    )
}}
{#- A warehouse built before this model was incremental has no spend_built_by_invocation_id:
    that first incremental run takes every day (and adds the column). -#}
{%- set incremental = incremental_with_columns(['spend_built_by_invocation_id']) -%}
-- One row per company x spend date x channel x keyword (normalised: trimmed, lower case) of the
-- keyword-level ad-spend rows that count (int_ad_spend_converted: the grain-of-record rule), with
-- cost in CNY at the day's rate. Days whose record is a coarser report (account or campaign)
-- have no keyword rows, so they are missing here and the keyword view says so
-- (docs/metrics.md, "Keyword performance").
with
{%- if incremental %}

-- The company-days int_ad_spend_converted wrote since this table summed them: a day whose spend
-- was built by another invocation than the one stored here, a day with keyword spend not here
-- yet, and a day here that has no spend any more.
spend_days as (

    select
        company_id,
        spend_date,
        max(built_by_invocation_id) as built_by_invocation_id,
        max(case when {{ is_keyword('keyword') }} then 1 else 0 end) as has_keywords
    from {{ ref('int_ad_spend_converted') }}
    group by company_id, spend_date

),

built_days as (

    select distinct company_id, date_day, spend_built_by_invocation_id
    from {{ this }}

),

touched_days as (

    select coalesce(spend_days.company_id, built_days.company_id) as company_id,
        coalesce(spend_days.spend_date, built_days.date_day) as spend_date
    from spend_days
    full outer join built_days
        on spend_days.company_id = built_days.company_id
        and spend_days.spend_date = built_days.date_day
    where (built_days.date_day is null and spend_days.has_keywords = 1)
        or spend_days.spend_date is null
        or built_days.spend_built_by_invocation_id <> spend_days.built_by_invocation_id

),
{%- endif %}

keyword_rows as (

    select spend.*
    from {{ ref('int_ad_spend_converted') }} as spend
    {%- if incremental %}
    inner join touched_days
        on spend.company_id = touched_days.company_id
        and spend.spend_date = touched_days.spend_date
    {%- endif %}
    where {{ is_keyword('spend.keyword') }}

),

final as (

    select
        company_id,
        spend_date as date_day,
        channel_id,
        lower(trim(keyword)) as keyword_key,
        -- one spelling to show when reports differ in case or spaces
        min(trim(keyword)) as keyword,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        cast(sum(spend_cny) as numeric(18, 2)) as spend_cny,
        -- the int_ad_spend_converted build of the day (one invocation writes a whole day)
        max(built_by_invocation_id) as spend_built_by_invocation_id
    from keyword_rows
    group by company_id, spend_date, channel_id, lower(trim(keyword))

)

select * from final
