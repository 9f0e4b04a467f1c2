-- One row per company x day x channel: the whole path from exposure to won inquiry with the
-- channel's spend, and the upper-funnel ratios (NULL where the denominator is zero or unknown).
--   exposures: B2B platforms' 曝光 (back-office), else the ad reports' impressions (展现); NULL
--              (unknown) for a channel no back-office or ad report covers that day
--   clicks:    B2B platforms' clicks (back-office, organic and P4P), else the ad reports' clicks
--   visitors:  B2B platforms' visitors, else the web analytics visitors of the channel
--   inquiries_reported: what the platform's back-office counted (B2B platforms only)
--   inquiries_total ... inquiries_won, spend: as in mart_channel_cost_per_inquiry (the register
--   by received date; spend variable plus fixed)
-- Ratios (docs/metrics.md, "Traffic"): CTR = clicks / exposures; click-to-inquiry = inquiries_total
-- / clicks; visitor-to-inquiry = inquiries_total / visitors; cost per click = spend_total / clicks;
-- cost per visitor = spend_total / visitors. Over a period, divide the sums, never average these.
with cost_days as (

    select
        company_id,
        date_day,
        channel_id,
        spend_variable_cny,
        spend_fixed_cny,
        spend_total_cny,
        inquiries_total,
        inquiries_valid,
        inquiries_intentional,
        inquiries_effective,
        inquiries_won,
        won_revenue_cny
    from {{ ref('mart_channel_cost_per_inquiry') }}

),

ad_days as (

    -- impressions and clicks only where an ad report has the channel that day: for a channel
    -- without one (SEO, WeChat, exhibitions) they are unknown, not 0
    select company_id, spend_date as date_day, channel_id, sum(impressions) as impressions, sum(clicks) as clicks
    from {{ ref('int_ad_spend_converted') }}
    group by company_id, spend_date, channel_id

),

platform_days as (

    select
        company_id,
        date_day,
        channel_id,
        sum(exposures) as exposures,
        sum(clicks) as clicks,
        sum(visitors) as visitors,
        sum(inquiries_reported) as inquiries_reported,
        sum(tm_consultations) as tm_consultations
    from {{ ref('int_platform_traffic_daily') }}
    group by company_id, date_day, channel_id

),

web_days as (

    select company_id, date_day, channel_id, sum(visitors) as visitors, sum(sessions) as sessions
    from {{ ref('int_web_traffic_channels') }}
    group by company_id, date_day, channel_id

),

day_keys as (

    select company_id, date_day, channel_id from cost_days
    union
    select company_id, date_day, channel_id from platform_days
    union
    select company_id, date_day, channel_id from web_days

),

joined as (

    select
        day_keys.company_id,
        day_keys.date_day,
        day_keys.channel_id,
        platform_days.channel_id is not null as has_platform_statistics,
        case
            when platform_days.channel_id is not null then platform_days.exposures
            else ad_days.impressions
        end as exposures,
        case
            when platform_days.channel_id is not null then platform_days.clicks
            else ad_days.clicks
        end as clicks,
        case
            when platform_days.channel_id is not null then platform_days.visitors
            else web_days.visitors
        end as visitors,
        web_days.sessions,
        platform_days.inquiries_reported,
        platform_days.tm_consultations,
        coalesce(cost_days.inquiries_total, 0) as inquiries_total,
        coalesce(cost_days.inquiries_valid, 0) as inquiries_valid,
        coalesce(cost_days.inquiries_intentional, 0) as inquiries_intentional,
        coalesce(cost_days.inquiries_effective, 0) as inquiries_effective,
        coalesce(cost_days.inquiries_won, 0) as inquiries_won,
        coalesce(cost_days.won_revenue_cny, 0) as won_revenue_cny,
        coalesce(cost_days.spend_variable_cny, 0) as spend_variable_cny,
        coalesce(cost_days.spend_fixed_cny, 0) as spend_fixed_cny,
        coalesce(cost_days.spend_total_cny, 0) as spend_total_cny
    from day_keys
    left join cost_days
        on day_keys.company_id = cost_days.company_id
        and day_keys.date_day = cost_days.date_day
        and day_keys.channel_id = cost_days.channel_id
    left join ad_days
        on day_keys.company_id = ad_days.company_id
        and day_keys.date_day = ad_days.date_day
        and day_keys.channel_id = ad_days.channel_id
    left join platform_days
        on day_keys.company_id = platform_days.company_id
        and day_keys.date_day = platform_days.date_day
        and day_keys.channel_id = platform_days.channel_id
    left join web_days
        on day_keys.company_id = web_days.company_id
        and day_keys.date_day = web_days.date_day
        and day_keys.channel_id = web_days.channel_id

),

final as (

    select
        joined.company_id,
        joined.date_day,
        joined.channel_id,
        channels.channel_group,
        channels.is_paid,
        joined.has_platform_statistics,
        cast(joined.exposures as {{ dbt.type_bigint() }}) as exposures,
        cast(joined.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(joined.visitors as {{ dbt.type_bigint() }}) as visitors,
        cast(joined.sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(joined.inquiries_reported as {{ dbt.type_bigint() }}) as inquiries_reported,
        cast(joined.tm_consultations as {{ dbt.type_bigint() }}) as tm_consultations,
        cast(joined.inquiries_total as {{ dbt.type_bigint() }}) as inquiries_total,
        cast(joined.inquiries_valid as {{ dbt.type_bigint() }}) as inquiries_valid,
        cast(joined.inquiries_intentional as {{ dbt.type_bigint() }}) as inquiries_intentional,
        cast(joined.inquiries_effective as {{ dbt.type_bigint() }}) as inquiries_effective,
        cast(joined.inquiries_won as {{ dbt.type_bigint() }}) as inquiries_won,
        cast(joined.won_revenue_cny as numeric(18, 2)) as won_revenue_cny,
        cast(joined.spend_variable_cny as numeric(18, 2)) as spend_variable_cny,
        cast(joined.spend_fixed_cny as numeric(18, 2)) as spend_fixed_cny,
        cast(joined.spend_total_cny as numeric(18, 2)) as spend_total_cny,
        {{ safe_divide('joined.clicks', 'joined.exposures') }} as click_through_rate,
        {{ safe_divide('joined.inquiries_total', 'joined.clicks') }} as click_to_inquiry_rate,
        {{ safe_divide('joined.inquiries_total', 'joined.visitors') }} as visitor_to_inquiry_rate,
        {{ safe_divide('joined.spend_total_cny', 'joined.clicks') }} as cost_per_click_cny,
        {{ safe_divide('joined.spend_total_cny', 'joined.visitors') }} as cost_per_visitor_cny,
        {{ is_last_complete_month('joined.date_day', 'periods') }} as is_last_complete_month,
        {{ is_last_complete_week('joined.date_day', 'periods') }} as is_last_complete_week
    from joined
    inner join {{ ref('dim_channels') }} as channels
        on joined.channel_id = channels.channel_id
    inner join {{ ref('int_company_reporting_periods') }} as periods
        on joined.company_id = periods.company_id
    where joined.date_day <= periods.data_through_date

)

select * from final
