-- One row per ISO week (Monday-Sunday) whose seven days the trade calendar covers: its working
-- days (make-up Saturdays/Sundays count, public holidays do not), its public holidays, whether a
-- Canton Fair phase falls in it, and the Monday of the same ISO week one ISO year earlier (the
-- like-for-like week; NULL when that year has no such week, e.g. week 53).
with days as (

    select * from {{ ref('int_calendar_days') }}

),

holiday_names as (

    select distinct week_start, holiday_name_zh, holiday_name_en
    from days
    where is_public_holiday

),

names_per_week as (

    select
        week_start,
        {{ dbt.listagg('holiday_name_zh', "'、'", 'order by holiday_name_zh') }} as holiday_names_zh,
        {{ dbt.listagg('holiday_name_en', "', '", 'order by holiday_name_en') }} as holiday_names_en
    from holiday_names
    group by week_start

),

weeks as (

    select
        week_start,
        min(iso_year) as iso_year,
        min(iso_week) as iso_week,
        count(*) as days_covered,
        cast(sum(case when is_working_day then 1 else 0 end) as integer) as working_days,
        cast(sum(case when is_public_holiday then 1 else 0 end) as integer) as public_holiday_days,
        cast(sum(case when is_makeup_workday then 1 else 0 end) as integer) as makeup_workdays,
        max(case when is_canton_fair then 1 else 0 end) = 1 as is_canton_fair_week,
        max(case when is_provisional then 1 else 0 end) = 1 as is_provisional
    from days
    group by week_start

),

aligned as (

    select
        weeks.*,
        {{ iso_week_monday('weeks.iso_year - 1', 'weeks.iso_week') }} as candidate_last_year_start
    from weeks
    where weeks.days_covered = 7

),

final as (

    select
        aligned.week_start,
        {{ add_days('aligned.week_start', '6') }} as week_end,
        aligned.iso_year,
        aligned.iso_week,
        aligned.working_days,
        aligned.public_holiday_days,
        aligned.public_holiday_days > 0 as has_public_holiday,
        names_per_week.holiday_names_zh,
        names_per_week.holiday_names_en,
        aligned.makeup_workdays,
        aligned.makeup_workdays > 0 as has_makeup_workday,
        aligned.is_canton_fair_week,
        aligned.is_provisional,
        -- Week 53 of one year has no counterpart in a 52-week year: the candidate Monday then
        -- falls in the next year's week 1, and the comparison is unknown rather than misaligned.
        case
            when {{ iso_week('aligned.candidate_last_year_start') }} = aligned.iso_week
                then aligned.candidate_last_year_start
        end as same_week_last_year_start
    from aligned
    left join names_per_week
        on aligned.week_start = names_per_week.week_start

)

select * from final
