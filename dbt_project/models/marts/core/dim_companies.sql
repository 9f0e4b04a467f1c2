-- One row per company: its data-through date and its default reporting periods (the last
-- complete month and ISO week). Computed in int_company_reporting_periods.
with final as (

    select
        company_id,
        data_through_date,
        last_complete_month_start,
        last_complete_month_end,
        last_complete_week_start,
        last_complete_week_end
    from {{ ref('int_company_reporting_periods') }}

)

select * from final
