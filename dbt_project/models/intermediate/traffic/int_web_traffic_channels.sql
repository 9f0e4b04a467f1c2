{#- Incremental by day, as int_ad_spend_converted: a run rebuilds the company-days that have
    rows from a file loaded after this table's newest row (latest load wins per tool and day, so
    a restated export wins its days); every other day's rows stay as they are. The channel rules
    below are SQL, not data: a change to them needs the full refresh.
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
-- One row per company x visit date x source x medium (summed over tools, keywords and landing
-- pages) with the canonical channel the source and medium stand for. Baidu Tongji writes the
-- medium as 来源类型 (付费搜索, 搜索引擎, 直接访问, 外部链接) and the source as 来源网站 (百度推广,
-- 百度, Google, mp.weixin.qq.com ...); GA4 as "google / organic". A source and medium nothing
-- below recognises is channel `unknown`, kept and counted, never dropped.
with
{%- if incremental %}

touched_days as (

    select distinct company_id, visit_date
    from {{ ref('stg_raw__web_traffic') }}
    where {{ loaded_after_this() }}

),
{%- endif %}

web_rows as (

    select
        web.company_id,
        web.visit_date,
        coalesce(nullif(trim(source), ''), '(none)') as source,
        coalesce(nullif(trim(medium), ''), '(none)') as medium,
        sessions,
        visitors,
        pageviews,
        conversions,
        load_seq
    from {{ ref('stg_raw__web_traffic') }} as web
    {%- if incremental %}
    inner join touched_days
        on web.company_id = touched_days.company_id
        and web.visit_date = touched_days.visit_date
    {%- endif %}

),

keyed as (

    select
        web_rows.*,
        lower(web_rows.source) as source_key,
        lower(web_rows.medium) as medium_key
    from web_rows

),

classified as (

    select
        keyed.*,
        case
            when keyed.medium_key in ('付费搜索', 'cpc', 'ppc', 'paid search', 'paidsearch', 'sem')
                or keyed.source_key like '%推广%' or keyed.source_key like '%google ads%'
                then 'paid'
            when keyed.medium_key in ('搜索引擎', 'organic', 'organic search', 'seo') then 'organic'
            when keyed.medium_key in ('直接访问', '(none)', 'none', 'direct')
                or keyed.source_key in ('(direct)', 'direct', '--')
                then 'direct'
            else 'referral'
        end as medium_class
    from keyed

),

channelled as (

    select
        classified.*,
        case
            when classified.medium_class = 'paid' then
                case
                    when classified.source_key like '%百度%' or classified.source_key like '%baidu%' then 'baidu_ppc'
                    when classified.source_key like '%搜狗%' or classified.source_key like '%sogou%' then 'sogou_ppc'
                    when classified.source_key like '%360%' or classified.source_key like '%so.com%' then 'so360_ppc'
                    when classified.source_key like '%神马%' or classified.source_key like '%shenma%' or classified.source_key like '%sm.cn%' then 'shenma_ppc'
                    when classified.source_key like '%google%' then 'google_ads'
                    else 'unknown'
                end
            when classified.medium_class = 'organic' then
                case
                    when classified.source_key like '%百度%' or classified.source_key like '%baidu%' then 'baidu_seo'
                    when classified.source_key like '%google%' then 'google_seo'
                    else 'unknown'
                end
            when classified.medium_class = 'direct' then 'website_direct'
            when classified.source_key like '%weixin%' or classified.source_key like '%wechat%' or classified.source_key like '%微信%' then 'wechat'
            when classified.source_key like '%weibo%' or classified.source_key like '%微博%' then 'weibo'
            when classified.source_key like '%douyin%' or classified.source_key like '%抖音%' then 'douyin'
            else 'unknown'
        end as channel_id
    from classified

),

final as (

    select
        company_id,
        visit_date as date_day,
        channel_id,
        source,
        medium,
        sum(sessions) as sessions,
        sum(visitors) as visitors,
        sum(pageviews) as pageviews,
        sum(conversions) as conversions,
        -- the newest file the day's rows came from, and the dbt invocation that wrote the row
        max(load_seq) as load_seq,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as built_by_invocation_id
    from channelled
    group by company_id, visit_date, channel_id, source, medium

)

select * from final
