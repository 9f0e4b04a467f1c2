-- One row per counted ad-spend row (stg_raw__ad_spend), with its canonical channel and its cost
-- in CNY at the rate valid on the spend date (the latest earlier rate when the day has none).
with spend as (

    select * from {{ ref('stg_raw__ad_spend') }}

),

converted as (

    select
        spend.company_id,
        spend.spend_date,
        spend.platform,
        coalesce(platforms.channel_id, 'unknown') as channel_id,
        spend.account,
        spend.campaign,
        spend.report_level,
        spend.impressions,
        spend.clicks,
        spend.cost,
        spend.currency,
        {{ cny_per_unit('fx', 'spend.currency') }} as cny_per_unit,
        {{ money(exact('spend.cost') ~ ' * ' ~ cny_per_unit('fx', 'spend.currency')) }} as spend_cny,
        spend.file_sha256,
        spend.source_row
    from spend
    left join {{ ref('ad_platform_channels') }} as platforms
        on spend.platform = platforms.platform
    {{ fx_rate_join('fx', 'spend.currency', 'spend.spend_date') }}

)

select * from converted
