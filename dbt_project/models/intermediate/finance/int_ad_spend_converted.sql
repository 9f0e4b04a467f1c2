{#- Incremental by day: a daily run rebuilds only the company-days whose counted rows or CNY
    figures can have changed, and keeps every other day's rows as they are (with the invocation
    that built them). `dbt build --full-refresh` rebuilds every day (a changed model, a backfill
    after raw files were removed by hand). Grain and columns are the same either way. On Spark
    (plain Parquet: no Delta/Iceberg, so no delete+insert or merge) it is rebuilt as a table. -#}
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key=['company_id', 'spend_date'],
        on_schema_change='append_new_columns',
    )
}}
{#- A warehouse built before this model was incremental has no load_seq column (nor, before the
    keyword facts read this model, a keyword column): that first incremental run takes every day
    (and adds the columns), the next ones only touched days. -#}
{%- set incremental = incremental_with_columns(['load_seq', 'keyword']) -%}
-- One row per counted ad-spend row (stg_raw__ad_spend), with its canonical channel and its cost
-- in CNY at the rate valid on the spend date (the latest earlier rate when the day has none).
with
{%- if incremental %}

-- Which company-days a run rebuilds, and why. The raw landing zone is append-only and every file
-- carries its manifest load_seq, so rows counted now that came from a file loaded after this
-- table's newest row are new or restated (a restated export wins its days and brings its own,
-- higher load_seq; a file that wins no day changes nothing here). Rates and the platform-channel
-- seed can also change a built row: those days are found by comparing the stored figures.
touched_days as (

    select company_id, spend_date
    from {{ ref('stg_raw__ad_spend') }}
    where {{ loaded_after_this() }}

    union

    -- a rate loaded or restated since: the stored rate is no longer the one valid that day
    select built.company_id, built.spend_date
    from {{ this }} as built
    {{ fx_rate_join('fx', 'built.currency', 'built.spend_date') }}
    where built.currency <> 'CNY'
        and (built.cny_per_unit <> fx.cny_per_unit or (built.cny_per_unit is null) <> (fx.cny_per_unit is null))

    union

    -- a platform mapped to another channel since
    select built.company_id, built.spend_date
    from {{ this }} as built
    left join {{ ref('ad_platform_channels') }} as platforms
        on built.platform = platforms.platform
    where built.channel_id <> coalesce(platforms.channel_id, 'unknown')

),
{%- endif %}

spend as (

    select spend.*
    from {{ ref('stg_raw__ad_spend') }} as spend
    {%- if incremental %}
    inner join touched_days
        on spend.company_id = touched_days.company_id
        and spend.spend_date = touched_days.spend_date
    {%- endif %}

),

converted as (

    select
        spend.company_id,
        spend.spend_date,
        spend.platform,
        coalesce(platforms.channel_id, 'unknown') as channel_id,
        spend.account,
        spend.campaign,
        -- as exported (int_ad_keywords_daily trims and keys it)
        spend.keyword,
        spend.report_level,
        spend.impressions,
        spend.clicks,
        spend.cost,
        spend.currency,
        {{ cny_per_unit('fx', 'spend.currency') }} as cny_per_unit,
        {{ money(exact('spend.cost') ~ ' * ' ~ cny_per_unit('fx', 'spend.currency')) }} as spend_cny,
        spend.file_sha256,
        spend.source_row,
        spend.load_seq,
        -- which dbt invocation wrote the row: an incremental run leaves untouched days' rows alone
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as built_by_invocation_id
    from spend
    left join {{ ref('ad_platform_channels') }} as platforms
        on spend.platform = platforms.platform
    {{ fx_rate_join('fx', 'spend.currency', 'spend.spend_date') }}

)

select * from converted
