-- One row per company x received_date x channel x product_line: the cohort of inquiries received
-- that day, with the stage each has reached as of the last register load, and whether the day
-- falls in the company's last complete month / ISO week (int_company_reporting_periods, the one
-- place those periods are computed).
with inquiries as (

    select * from {{ ref('fct_inquiries') }}

),

daily as (

    select
        company_id,
        received_date,
        channel_id,
        channel_group,
        is_paid,
        product_line,
        cast(count(*) as integer) as inquiries_total,
        cast({{ count_if('is_invalid') }} as integer) as inquiries_invalid,
        cast({{ count_if('not is_invalid') }} as integer) as inquiries_valid,
        cast({{ count_if("not is_invalid and stage_reached in ('intentional', 'effective', 'won')") }} as integer) as inquiries_intentional,
        cast({{ count_if("not is_invalid and stage_reached in ('effective', 'won')") }} as integer) as inquiries_effective,
        cast({{ count_if("not is_invalid and stage_reached = 'won'") }} as integer) as inquiries_won,
        cast({{ count_if('is_lost') }} as integer) as inquiries_lost,
        cast({{ count_if('is_open') }} as integer) as inquiries_open,
        cast(coalesce(sum(case when is_won then won_revenue_cny end), 0) as numeric(18, 2)) as won_revenue_cny,
        cast(coalesce(sum(case when is_won then days_to_won end), 0) as integer) as sum_days_to_won
    from inquiries
    group by company_id, received_date, channel_id, channel_group, is_paid, product_line

),

final as (

    select
        daily.*,
        {{ is_last_complete_month('daily.received_date', 'periods') }} as is_last_complete_month,
        {{ is_last_complete_week('daily.received_date', 'periods') }} as is_last_complete_week
    from daily
    left join {{ ref('int_company_reporting_periods') }} as periods
        on daily.company_id = periods.company_id

)

select * from final
