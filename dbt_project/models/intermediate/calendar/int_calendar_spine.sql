-- One row per calendar day of every year the trade calendar seed covers (1 January of its first
-- year to 31 December of its last). Kept apart from int_calendar_days so the day rules can be
-- unit-tested on a handful of days.
with events as (

    select * from {{ ref('trade_calendar') }}

),

bounds as (

    select
        cast({{ dbt.date_trunc('year', 'min(start_date)') }} as date) as first_day,
        {{ add_days('cast(' ~ dbt.date_trunc('year', dbt.dateadd('year', 1, 'max(end_date)')) ~ ' as date)', '-1') }} as last_day
    from events

),

{{ day_spine('bounds') }}

select date_day from spine
