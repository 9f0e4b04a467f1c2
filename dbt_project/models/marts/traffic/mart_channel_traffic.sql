-- One row per company x day x channel x source x medium: the traffic each channel brought.
-- B2B platforms (one row per platform day, source = the platform, medium = 'b2b_platform'):
-- exposures (曝光), clicks (点击), visitors (访客), platform-reported inquiries (询盘) and
-- TM/旺旺 consultations (咨询), summed over the company's shops. The website (one row per
-- source and medium of the web analytics exports): sessions (访问次数), visitors (访客, summed
-- over report rows), page views and conversions (转化). A measure the source does not have is
-- NULL (a platform has no sessions, the website no exposures), never 0. Platform days are the
-- platform's own reporting days (Alibaba.com: US Pacific); website days are Beijing days.
with platform_rows as (

    select
        company_id,
        date_day,
        channel_id,
        'b2b_platform' as traffic_source,
        platform as source,
        'b2b_platform' as medium,
        exposures,
        clicks,
        visitors,
        cast(null as {{ dbt.type_bigint() }}) as sessions,
        cast(null as {{ dbt.type_bigint() }}) as pageviews,
        inquiries_reported,
        tm_consultations,
        cast(null as {{ dbt.type_bigint() }}) as conversions
    from {{ ref('int_platform_traffic_daily') }}

),

web_rows as (

    select
        company_id,
        date_day,
        channel_id,
        'web_analytics' as traffic_source,
        source,
        medium,
        cast(null as {{ dbt.type_bigint() }}) as exposures,
        cast(null as {{ dbt.type_bigint() }}) as clicks,
        visitors,
        sessions,
        pageviews,
        cast(null as {{ dbt.type_bigint() }}) as inquiries_reported,
        cast(null as {{ dbt.type_bigint() }}) as tm_consultations,
        conversions
    from {{ ref('int_web_traffic_channels') }}

),

traffic as (

    select * from platform_rows
    union all
    select * from web_rows

),

final as (

    select
        traffic.company_id,
        traffic.date_day,
        traffic.channel_id,
        channels.channel_group,
        traffic.traffic_source,
        traffic.source,
        traffic.medium,
        cast(traffic.exposures as {{ dbt.type_bigint() }}) as exposures,
        cast(traffic.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(traffic.visitors as {{ dbt.type_bigint() }}) as visitors,
        cast(traffic.sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(traffic.pageviews as {{ dbt.type_bigint() }}) as pageviews,
        cast(traffic.inquiries_reported as {{ dbt.type_bigint() }}) as inquiries_reported,
        cast(traffic.tm_consultations as {{ dbt.type_bigint() }}) as tm_consultations,
        cast(traffic.conversions as {{ dbt.type_bigint() }}) as conversions,
        {{ is_last_complete_month('traffic.date_day', 'periods') }} as is_last_complete_month,
        {{ is_last_complete_week('traffic.date_day', 'periods') }} as is_last_complete_week
    from traffic
    inner join {{ ref('dim_channels') }} as channels
        on traffic.channel_id = channels.channel_id
    inner join {{ ref('int_company_reporting_periods') }} as periods
        on traffic.company_id = periods.company_id
    -- nothing after the company's data-through date (the run's business date) is reported
    where traffic.date_day <= periods.data_through_date

)

select * from final
