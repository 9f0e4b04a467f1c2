-- One row per company x platform day x platform: the B2B back-office statistics summed over the
-- company's shops on that platform, with the channel the platform is (alibaba_intl,
-- alibaba_1688, made_in_china, hc360; a platform no channel stands for, e.g. a taught layout's
-- new name, is channel `unknown`, kept). The day is the platform's own reporting day (var
-- platform_reporting_timezones: US Pacific for Alibaba.com). A measure no shop's export has a
-- column for stays NULL (unknown).
with platform_rows as (

    select * from {{ ref('stg_raw__platform_traffic') }}

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
        sum(platform_rows.tm_consultations) as tm_consultations
    from platform_rows
    left join {{ ref('dim_channels') }} as channels
        on platform_rows.platform = channels.channel_id
    group by platform_rows.company_id, platform_rows.stat_date, platform_rows.platform, coalesce(channels.channel_id, 'unknown')

)

select * from final
