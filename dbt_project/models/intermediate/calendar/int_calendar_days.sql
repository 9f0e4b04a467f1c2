-- One row per calendar day of every year the trade calendar seed covers (1 January of its first
-- year to 31 December of its last): whether the day is a public holiday, a make-up working day
-- (调休上班, a weekend day worked), a working day, and during a Canton Fair phase. Days outside
-- the covered years have no row: their holidays are unknown, not absent.
with events as (

    select * from {{ ref('trade_calendar') }}

),

spine as (

    select date_day from {{ ref('int_calendar_spine') }}

),

marked as (

    select
        spine.date_day,
        max(case when events.event_type = 'public_holiday' then 1 else 0 end) as holiday_events,
        max(case when events.event_type = 'makeup_workday' then 1 else 0 end) as makeup_events,
        max(case when events.event_type = 'canton_fair' then 1 else 0 end) as fair_events,
        max(case when events.event_type = 'public_holiday' then events.name_zh end) as holiday_name_zh,
        max(case when events.event_type = 'public_holiday' then events.name_en end) as holiday_name_en,
        max(case when events.event_type = 'canton_fair' then events.name_zh end) as canton_fair_name_zh,
        max(case when events.is_provisional then 1 else 0 end) as provisional_events
    from spine
    left join events
        on spine.date_day between events.start_date and events.end_date
    group by spine.date_day

),

final as (

    select
        date_day,
        {{ iso_year('date_day') }} as iso_year,
        {{ iso_week('date_day') }} as iso_week,
        {{ week_start('date_day') }} as week_start,
        cast({{ iso_day_of_week('date_day') }} as integer) as iso_day_of_week,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend,
        holiday_events = 1 as is_public_holiday,
        makeup_events = 1 as is_makeup_workday,
        -- A make-up Saturday or Sunday is a working day; a public holiday never is.
        ({{ iso_day_of_week('date_day') }} not in (6, 7) or makeup_events = 1) and holiday_events = 0 as is_working_day,
        fair_events = 1 as is_canton_fair,
        holiday_name_zh,
        holiday_name_en,
        canton_fair_name_zh,
        provisional_events = 1 as is_provisional
    from marked

)

select * from final
