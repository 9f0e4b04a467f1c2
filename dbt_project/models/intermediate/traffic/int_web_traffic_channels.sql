-- One row per company x visit date x source x medium (summed over tools, keywords and landing
-- pages) with the canonical channel the source and medium stand for. Baidu Tongji writes the
-- medium as 来源类型 (付费搜索, 搜索引擎, 直接访问, 外部链接) and the source as 来源网站 (百度推广,
-- 百度, Google, mp.weixin.qq.com ...); GA4 as "google / organic". A source and medium nothing
-- below recognises is channel `unknown`, kept and counted, never dropped.
with web_rows as (

    select
        company_id,
        visit_date,
        coalesce(nullif(trim(source), ''), '(none)') as source,
        coalesce(nullif(trim(medium), ''), '(none)') as medium,
        sessions,
        visitors,
        pageviews,
        conversions
    from {{ ref('stg_raw__web_traffic') }}

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
        sum(conversions) as conversions
    from channelled
    group by company_id, visit_date, channel_id, source, medium

)

select * from final
