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
{%- set day_grain = ['company_id', 'date_day', 'channel_id'] %}
{%- set counts = ['inquiries_total', 'inquiries_valid', 'inquiries_intentional', 'inquiries_effective', 'inquiries_won'] %}
{%- set amounts = ['won_revenue_cny', 'spend_variable_cny', 'spend_fixed_cny', 'spend_total_cny'] %}
{%- set cost_columns = counts + amounts %}
with cost_days as (

    select {{ (day_grain + cost_columns) | join(', ') }}
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

    {%- for days in ['cost_days', 'platform_days', 'web_days'] %}
    select {{ day_grain | join(', ') }} from {{ days }}
    {% if not loop.last %}union{% endif %}
    {%- endfor %}

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
        -- a day with traffic and no register or cost row had no inquiries and no spend
        {%- for column in cost_columns %}
        coalesce(cost_days.{{ column }}, 0) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from day_keys
    {%- for days in ['cost_days', 'ad_days', 'platform_days', 'web_days'] %}
    left join {{ days }}
        on {{ same_keys('day_keys', days, day_grain) }}
    {%- endfor %}

),

final as (

    select
        joined.company_id,
        joined.date_day,
        joined.channel_id,
        channels.channel_group,
        channels.is_paid,
        joined.has_platform_statistics,
        {%- for column in ['exposures', 'clicks', 'visitors', 'sessions', 'inquiries_reported', 'tm_consultations'] + counts %}
        cast(joined.{{ column }} as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        {%- for column in amounts %}
        cast(joined.{{ column }} as numeric(18, 2)) as {{ column }},
        {%- endfor %}
        {{ safe_divide('joined.clicks', 'joined.exposures') }} as click_through_rate,
        {{ safe_divide('joined.inquiries_total', 'joined.clicks') }} as click_to_inquiry_rate,
        {{ safe_divide('joined.inquiries_total', 'joined.visitors') }} as visitor_to_inquiry_rate,
        {{ safe_divide('joined.spend_total_cny', 'joined.clicks') }} as cost_per_click_cny,
        {{ safe_divide('joined.spend_total_cny', 'joined.visitors') }} as cost_per_visitor_cny,
        {{ reporting_period_flags('joined.date_day') }}
    {{ reported_channel_days('joined') }}

)

select * from final
