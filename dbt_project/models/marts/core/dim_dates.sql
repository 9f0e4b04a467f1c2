-- One row per calendar day from the earliest to the latest day any fact mentions (inquiries
-- received, spend, contract days, orders), at most var('max_spine_days') days.
with fact_days as (

    select received_date as date_day from {{ ref('int_inquiry_stage_dates') }}
    union all
    select date_day from {{ ref('int_channel_costs_daily') }}
    union all
    -- the whole fee schedule, including contract days after the data-through date (planning)
    select date_day from {{ ref('int_channel_contract_days') }}
    union all
    select order_date as date_day from {{ ref('int_order_lines_costed') }}

),

bounds as (

    select min(date_day) as first_day, max(date_day) as last_day
    from fact_days

),

{{ day_spine('bounds') }},

final as (

    select
        date_day,
        {{ month_start('date_day') }} as month_start,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast({{ iso_day_of_week('date_day') }} as integer) as iso_day_of_week,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend
    from spine

)

select * from final
