-- One row per company x spend date x channel x keyword (normalised: trimmed, lower case) of the
-- keyword-level ad-spend rows that count (stg_raw__ad_spend: the grain-of-record rule), with
-- cost in CNY at the day's rate. Days whose record is a coarser report (account or campaign)
-- have no keyword rows, so they are missing here and the keyword view says so
-- (docs/metrics.md, "Keyword performance").
with keyword_rows as (

    select *
    from {{ ref('stg_raw__ad_spend') }}
    where keyword is not null and trim(keyword) <> '' and trim(keyword) <> '--'

),

converted as (

    select
        keyword_rows.company_id,
        keyword_rows.spend_date,
        coalesce(platforms.channel_id, 'unknown') as channel_id,
        lower(trim(keyword_rows.keyword)) as keyword_key,
        trim(keyword_rows.keyword) as keyword,
        keyword_rows.impressions,
        keyword_rows.clicks,
        {{ money(exact('keyword_rows.cost') ~ ' * ' ~ cny_per_unit('fx', 'keyword_rows.currency')) }} as spend_cny
    from keyword_rows
    left join {{ ref('ad_platform_channels') }} as platforms
        on keyword_rows.platform = platforms.platform
    {{ fx_rate_join('fx', 'keyword_rows.currency', 'keyword_rows.spend_date') }}

),

final as (

    select
        company_id,
        spend_date as date_day,
        channel_id,
        keyword_key,
        -- one spelling to show when reports differ in case or spaces
        min(keyword) as keyword,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        cast(sum(spend_cny) as numeric(18, 2)) as spend_cny
    from converted
    group by company_id, spend_date, channel_id, keyword_key

)

select * from final
