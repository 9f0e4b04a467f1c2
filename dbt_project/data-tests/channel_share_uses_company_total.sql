-- Channel share (issue 8, item 7): in mart_channel_cost_per_inquiry_monthly a channel's
-- inquiry_share divides by ALL the company's valid inquiries of the month. So, per company and
-- month, the channel rows' valid inquiries add up to the funnel's (same inquiries, up to the
-- data-through date the cost mart stops at) and their shares add up to 1. Returns the months
-- where either fails.
with channel_months as (

    select
        company_id,
        month_start,
        sum(inquiries_valid) as inquiries_valid,
        sum(inquiry_share) as share_total
    from {{ ref('mart_channel_cost_per_inquiry_monthly') }}
    group by company_id, month_start

),

funnel_months as (

    select
        funnel.company_id,
        {{ month_start('funnel.received_date') }} as month_start,
        sum(funnel.inquiries_valid) as inquiries_valid
    from {{ ref('mart_inquiry_funnel') }} as funnel
    inner join {{ ref('int_company_reporting_periods') }} as periods
        on funnel.company_id = periods.company_id
    where funnel.received_date <= periods.data_through_date
    group by funnel.company_id, {{ month_start('funnel.received_date') }}

),

compared as (

    select
        coalesce(channel_months.company_id, funnel_months.company_id) as company_id,
        coalesce(channel_months.month_start, funnel_months.month_start) as month_start,
        coalesce(channel_months.inquiries_valid, 0) as channel_inquiries_valid,
        coalesce(funnel_months.inquiries_valid, 0) as funnel_inquiries_valid,
        channel_months.share_total
    from channel_months
    full outer join funnel_months
        on {{ same_keys('channel_months', 'funnel_months', ['company_id', 'month_start']) }}

)

select *
from compared
where channel_inquiries_valid <> funnel_inquiries_valid
    or (funnel_inquiries_valid > 0 and abs(coalesce(share_total, 0) - 1) > 0.000001)
