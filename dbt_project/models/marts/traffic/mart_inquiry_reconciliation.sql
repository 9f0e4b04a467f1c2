-- One row per company x B2B platform channel x platform day: the inquiries the platform's
-- back-office reported against the inquiries the register attributes to that channel, with the
-- gap and its share. Inquiries that never reach the register are revenue nobody follows up.
--
-- Matching a register row to a platform day (docs/metrics.md, "Platform vs register"):
--   1. The register's 询盘时间 is when sales recorded the inquiry; it reached the platform
--      var('inquiry_recording_lag_days') days earlier (sales log the previous day's inquiries).
--   2. That moment, Beijing wall time, falls on the platform day of the platform's reporting
--      time zone (var('platform_reporting_timezones'); Alibaba.com counts US Pacific days).
-- Every register row counts, invalid ones included: the platform counts spam too.
-- A day is settled once the register can hold all its inquiries (platform day + lag, plus one
-- day for a platform whose days end after Beijing's, on or before the data-through date); the
-- gap of an unsettled day is NULL, not a loss. Platform counts are NULL on days inside the
-- platform's data range that no export covers (unknown, not zero).
{%- set lag_days = var('inquiry_recording_lag_days') | int %}
{%- set day_grain = ['company_id', 'channel_id', 'date_day'] %}
with b2b_channels as (

    select channel_id, channel_group
    from {{ ref('dim_channels') }}
    where channel_group = 'b2b_platform'

),

platform_days as (

    select company_id, channel_id, date_day, sum(inquiries_reported) as inquiries_reported
    from {{ ref('int_platform_traffic_daily') }}
    where channel_id in (select channel_id from b2b_channels)
    group by company_id, channel_id, date_day

),

platform_ranges as (

    select company_id, channel_id, min(date_day) as first_day, max(date_day) as last_day
    from platform_days
    group by company_id, channel_id

),

registered as (

    select
        inquiries.company_id,
        inquiries.channel_id,
        {{ platform_day(dbt.dateadd('day', -lag_days, 'current_rows.received_at_local'), 'inquiries.channel_id') }} as date_day,
        {{ platform_day('current_rows.received_at_local', 'inquiries.channel_id') }} as recorded_platform_day
    from {{ ref('fct_inquiries') }} as inquiries
    inner join {{ ref('stg_raw__inquiries_current') }} as current_rows
        on inquiries.company_id = current_rows.company_id
        and inquiries.inquiry_id = current_rows.inquiry_id
    where inquiries.channel_id in (select channel_id from b2b_channels)

),

registered_days as (

    select
        company_id,
        channel_id,
        date_day,
        count(*) as inquiries_registered
    from registered
    group by company_id, channel_id, date_day

),

recorded_days as (

    -- The same rows on the platform day they were recorded (no lag): shows what the lag moves.
    select
        company_id,
        channel_id,
        recorded_platform_day as date_day,
        count(*) as inquiries_registered_unshifted
    from registered
    group by company_id, channel_id, recorded_platform_day

),

{%- set day_sources = ['platform_days', 'registered_days', 'recorded_days'] %}
day_keys as (

    {%- for days in day_sources %}
    select {{ day_grain | join(', ') }} from {{ days }}
    {% if not loop.last %}union{% endif %}
    {%- endfor %}

),

in_platform_range as (

    -- Only days the platform's exports span: before the first or after the last export there is
    -- nothing to reconcile against.
    select day_keys.*
    from day_keys
    inner join platform_ranges
        on {{ same_keys('day_keys', 'platform_ranges', ['company_id', 'channel_id']) }}
        and day_keys.date_day between platform_ranges.first_day and platform_ranges.last_day

),

joined as (

    select
        in_platform_range.company_id,
        in_platform_range.channel_id,
        in_platform_range.date_day,
        platform_days.inquiries_reported as inquiries_platform,
        coalesce(registered_days.inquiries_registered, 0) as inquiries_registered,
        coalesce(recorded_days.inquiries_registered_unshifted, 0) as inquiries_registered_unshifted,
        periods.data_through_date,
        {{ add_days('in_platform_range.date_day', lag_days ~ ' + ' ~ platform_day_settle_days('in_platform_range.channel_id')) }} as settles_on,
        periods.last_complete_month_start,
        periods.last_complete_month_end,
        periods.last_complete_week_start,
        periods.last_complete_week_end
    from in_platform_range
    {%- for days in day_sources %}
    left join {{ days }}
        on {{ same_keys('in_platform_range', days, day_grain) }}
    {%- endfor %}
    inner join {{ ref('int_company_reporting_periods') }} as periods
        on in_platform_range.company_id = periods.company_id
    -- nothing after the company's data-through date (the run's business date) is reported
    where in_platform_range.date_day <= periods.data_through_date

),

final as (

    select
        joined.company_id,
        joined.channel_id,
        b2b_channels.channel_group,
        joined.date_day,
        {{ platform_timezone_name('joined.channel_id') }} as reporting_timezone,
        cast({{ lag_days }} as integer) as recording_lag_days,
        joined.inquiries_platform,
        joined.inquiries_registered,
        joined.inquiries_registered_unshifted,
        coalesce(joined.settles_on <= joined.data_through_date, false) as is_settled,
        case
            when joined.settles_on <= joined.data_through_date
                then joined.inquiries_platform - joined.inquiries_registered
        end as inquiry_gap,
        case
            when joined.settles_on <= joined.data_through_date
                then {{ safe_divide('joined.inquiries_platform - joined.inquiries_registered', 'joined.inquiries_platform') }}
        end as inquiry_gap_share,
        {{ reporting_period_flags('joined.date_day', 'joined') }}
    from joined
    inner join b2b_channels
        on joined.channel_id = b2b_channels.channel_id

)

select * from final
