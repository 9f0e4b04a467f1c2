-- One row per company x day x channel x source x medium: the traffic each channel brought.
-- B2B platforms (one row per platform day, source = the platform, medium = 'b2b_platform'):
-- exposures (曝光), clicks (点击), visitors (访客), platform-reported inquiries (询盘) and
-- TM/旺旺 consultations (咨询), summed over the company's shops. The website (one row per
-- source and medium of the web analytics exports): sessions (访问次数), visitors (访客, summed
-- over report rows), page views and conversions (转化). A measure the source does not have is
-- NULL (a platform has no sessions, the website no exposures), never 0. Platform days are the
-- platform's own reporting days (Alibaba.com: US Pacific); website days are Beijing days.
{%- set measures = ['exposures', 'clicks', 'visitors', 'sessions', 'pageviews', 'inquiries_reported', 'tm_consultations', 'conversions'] %}
{#- per source: its model, traffic_source, source, medium and the measures it has (the others
    are NULL) -#}
{%- set sources = [
    ('int_platform_traffic_daily', "'b2b_platform'", 'platform', "'b2b_platform'",
        ['exposures', 'clicks', 'visitors', 'inquiries_reported', 'tm_consultations']),
    ('int_web_traffic_channels', "'web_analytics'", 'source', 'medium',
        ['visitors', 'sessions', 'pageviews', 'conversions']),
] %}
with traffic as (

    {%- for model, traffic_source, source, medium, measured in sources %}
    select
        company_id,
        date_day,
        channel_id,
        {{ traffic_source }} as traffic_source,
        {{ source }} as source,
        {{ medium }} as medium,
        {%- for measure in measures %}
        {% if measure in measured %}{{ measure }}{% else %}cast(null as {{ dbt.type_bigint() }}){% endif %} as {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

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
        {%- for measure in measures %}
        cast(traffic.{{ measure }} as {{ dbt.type_bigint() }}) as {{ measure }},
        {%- endfor %}
        {{ reporting_period_flags('traffic.date_day') }}
    {{ reported_channel_days('traffic') }}

)

select * from final
