-- One row per company x complete ISO week (Monday-Sunday, Asia/Shanghai business dates) up to
-- the company's data-through date: the four funnel counts of the inquiries received that week
-- (cohort: the stage reached so far), stage rates, spend and cost per valid / won inquiry; the
-- same figures for the week before and for the same ISO week one ISO year earlier; deals closed
-- in the week (by won date) with their revenue and gross profit; the trade calendar's marks for
-- the week and its like-for-like week; and whether the week is the company's last complete week.
-- A comparison week before the company's first data is unknown (NULL), not zero.
with periods as (

    select * from {{ ref('int_company_reporting_periods') }}

),

daily as (

    select * from {{ ref('mart_channel_cost_per_inquiry') }}

),

first_days as (

    -- The first day with inquiries or variable spend: contract fees run back before a company's
    -- first export, and weeks before its data are unknown, not weeks with nothing in them.
    select company_id, min(date_day) as first_day
    from daily
    where inquiries_total > 0 or spend_variable_cny > 0
    group by company_id

),

won_deals as (

    {{ won_deals() }}

),

company_weeks as (

    -- Every ISO week from the first one wholly inside the company's data (a week the data starts
    -- in the middle of is partial, so not comparable) to its last complete week.
    select distinct
        periods.company_id,
        dates.week_start
    from {{ ref('dim_dates') }} as dates
    inner join periods
        on dates.week_start <= periods.last_complete_week_start
    inner join first_days
        on periods.company_id = first_days.company_id
        and dates.week_start >= first_days.first_day

),

week_facts as (

    select
        company_id,
        {{ week_start('date_day') }} as week_start,
        cast(sum(inquiries_total) as integer) as inquiries_total,
        cast(sum(inquiries_valid) as integer) as inquiries_valid,
        cast(sum(inquiries_intentional) as integer) as inquiries_intentional,
        cast(sum(inquiries_effective) as integer) as inquiries_effective,
        cast(sum(inquiries_won) as integer) as inquiries_won,
        cast(sum(spend_total_cny) as numeric(18, 2)) as spend_total_cny
    from daily
    group by company_id, {{ week_start('date_day') }}

),

week_deals as (

    select
        won_deals.company_id,
        {{ week_start('won_deals.won_date') }} as week_start,
        {{ won_deal_totals('won_deals') }}
    from won_deals
    inner join periods
        on won_deals.company_id = periods.company_id
    where won_deals.won_date <= periods.data_through_date
    group by won_deals.company_id, {{ week_start('won_deals.won_date') }}

),

weekly as (

    select
        company_weeks.company_id,
        company_weeks.week_start,
        coalesce(week_facts.inquiries_total, 0) as inquiries_total,
        coalesce(week_facts.inquiries_valid, 0) as inquiries_valid,
        coalesce(week_facts.inquiries_intentional, 0) as inquiries_intentional,
        coalesce(week_facts.inquiries_effective, 0) as inquiries_effective,
        coalesce(week_facts.inquiries_won, 0) as inquiries_won,
        cast(coalesce(week_facts.spend_total_cny, 0) as numeric(18, 2)) as spend_total_cny,
        coalesce(week_deals.deals_won, 0) as deals_won,
        cast(coalesce(week_deals.won_revenue_cny, 0) as numeric(18, 2)) as deals_won_revenue_cny,
        -- No deal closed: gross profit 0 is known; deals without a known cost: unknown.
        cast(case
            when week_deals.company_id is null then 0
            else week_deals.won_gross_profit_cny
        end as numeric(18, 2)) as deals_won_gross_profit_cny
    from company_weeks
    left join week_facts
        on company_weeks.company_id = week_facts.company_id
        and company_weeks.week_start = week_facts.week_start
    left join week_deals
        on company_weeks.company_id = week_deals.company_id
        and company_weeks.week_start = week_deals.week_start

),

measured as (

    select
        weekly.*,
        {{ funnel_stage_rates() }},
        {{ safe_divide('spend_total_cny', 'inquiries_valid') }} as cost_per_inquiry_cny,
        {{ safe_divide('spend_total_cny', 'inquiries_won') }} as cost_per_won_cny
    from weekly

),

keyed as (

    -- The Monday of the same ISO week one ISO year earlier; NULL when that year has no such week
    -- (week 53), so the comparison is unknown rather than misaligned.
    select
        measured.*,
        {{ iso_week_monday(iso_year('measured.week_start') ~ ' - 1', iso_week('measured.week_start')) }} as candidate_last_year_start
    from measured

),

final as (

    select
        this_week.company_id,
        this_week.week_start,
        {{ add_days('this_week.week_start', '6') }} as week_end,
        {{ iso_year('this_week.week_start') }} as iso_year,
        {{ iso_week('this_week.week_start') }} as iso_week,
        periods.data_through_date,
        coalesce(this_week.week_start = periods.last_complete_week_start, false) as is_last_complete_week,
        coalesce({{ add_days('this_week.week_start', '6') }} >= periods.last_complete_month_start, false) as is_from_last_complete_month,
        this_week.inquiries_total,
        this_week.inquiries_valid,
        this_week.inquiries_intentional,
        this_week.inquiries_effective,
        this_week.inquiries_won,
        this_week.intentional_rate,
        this_week.effective_rate,
        this_week.win_rate,
        this_week.spend_total_cny,
        this_week.cost_per_inquiry_cny,
        this_week.cost_per_won_cny,
        this_week.deals_won,
        this_week.deals_won_revenue_cny,
        this_week.deals_won_gross_profit_cny,
        -- trade calendar (NULL: the week lies outside the years the calendar covers)
        calendar.working_days,
        calendar.has_public_holiday,
        calendar.holiday_names_zh,
        calendar.holiday_names_en,
        calendar.has_makeup_workday,
        calendar.is_canton_fair_week,
        -- the week before
        {{ add_days('this_week.week_start', '-7') }} as last_week_start,
        last_week.inquiries_total as last_week_inquiries_total,
        last_week.inquiries_valid as last_week_inquiries_valid,
        last_week.inquiries_intentional as last_week_inquiries_intentional,
        last_week.inquiries_effective as last_week_inquiries_effective,
        last_week.inquiries_won as last_week_inquiries_won,
        last_week.intentional_rate as last_week_intentional_rate,
        last_week.effective_rate as last_week_effective_rate,
        last_week.win_rate as last_week_win_rate,
        last_week.spend_total_cny as last_week_spend_total_cny,
        last_week.cost_per_inquiry_cny as last_week_cost_per_inquiry_cny,
        last_week.cost_per_won_cny as last_week_cost_per_won_cny,
        last_week.deals_won as last_week_deals_won,
        last_week_calendar.has_public_holiday as last_week_has_public_holiday,
        last_week_calendar.holiday_names_zh as last_week_holiday_names_zh,
        -- the same ISO week one ISO year earlier (like for like)
        case
            when {{ iso_week('this_week.candidate_last_year_start') }} = {{ iso_week('this_week.week_start') }}
                then this_week.candidate_last_year_start
        end as last_year_week_start,
        last_year.inquiries_total as last_year_inquiries_total,
        last_year.inquiries_valid as last_year_inquiries_valid,
        last_year.inquiries_intentional as last_year_inquiries_intentional,
        last_year.inquiries_effective as last_year_inquiries_effective,
        last_year.inquiries_won as last_year_inquiries_won,
        last_year.intentional_rate as last_year_intentional_rate,
        last_year.effective_rate as last_year_effective_rate,
        last_year.win_rate as last_year_win_rate,
        last_year.spend_total_cny as last_year_spend_total_cny,
        last_year.cost_per_inquiry_cny as last_year_cost_per_inquiry_cny,
        last_year.cost_per_won_cny as last_year_cost_per_won_cny,
        last_year.deals_won as last_year_deals_won,
        last_year_calendar.has_public_holiday as last_year_has_public_holiday,
        last_year_calendar.holiday_names_zh as last_year_holiday_names_zh,
        last_year_calendar.holiday_names_en as last_year_holiday_names_en,
        -- What an owner must know before comparing the two weeks.
        case
            when calendar.has_public_holiday and last_year_calendar.has_public_holiday
                then '两周都有假期 Both weeks have holidays: 本周 ' || calendar.holiday_names_zh || '，去年同周 ' || last_year_calendar.holiday_names_zh
            when calendar.has_public_holiday
                then '本周有假期 This week has a holiday: ' || calendar.holiday_names_zh || ' ' || calendar.holiday_names_en
            when last_year_calendar.has_public_holiday
                then '去年同周有假期 Same week last year had a holiday: ' || last_year_calendar.holiday_names_zh || ' ' || last_year_calendar.holiday_names_en
            when calendar.has_public_holiday is not null and last_year_calendar.has_public_holiday is not null
                then '两周都无假期 No holiday in either week'
        end as like_for_like_note
    from keyed as this_week
    inner join periods
        on this_week.company_id = periods.company_id
    left join {{ ref('int_calendar_weeks') }} as calendar
        on this_week.week_start = calendar.week_start
    left join measured as last_week
        on this_week.company_id = last_week.company_id
        and last_week.week_start = {{ add_days('this_week.week_start', '-7') }}
    left join {{ ref('int_calendar_weeks') }} as last_week_calendar
        on last_week_calendar.week_start = {{ add_days('this_week.week_start', '-7') }}
    left join measured as last_year
        on this_week.company_id = last_year.company_id
        and last_year.week_start = this_week.candidate_last_year_start
        and {{ iso_week('this_week.candidate_last_year_start') }} = {{ iso_week('this_week.week_start') }}
    left join {{ ref('int_calendar_weeks') }} as last_year_calendar
        on last_year_calendar.week_start = this_week.candidate_last_year_start
        and {{ iso_week('this_week.candidate_last_year_start') }} = {{ iso_week('this_week.week_start') }}

)

select * from final
