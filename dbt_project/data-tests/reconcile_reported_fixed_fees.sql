-- Fails for every company, channel and month where the fixed spend reported in
-- mart_channel_cost_per_inquiry differs from the fee schedule's reported days
-- (mart_channel_fee_schedule where is_reported, i.e. up to the data-through date), and for any
-- reported cost dated after the company's data-through date.
with scheduled as (

    select company_id, channel_id, month_start, sum(fee_cny) as fee_cny
    from {{ ref('mart_channel_fee_schedule') }}
    where is_reported
    group by company_id, channel_id, month_start

),

published as (

    select company_id, channel_id, {{ month_start('date_day') }} as month_start, sum(spend_fixed_cny) as fee_cny
    from {{ ref('mart_channel_cost_per_inquiry') }}
    group by company_id, channel_id, {{ month_start('date_day') }}
    having sum(spend_fixed_cny) <> 0

),

after_data_through as (

    select
        costs.company_id,
        costs.channel_id,
        costs.date_day as month_start,
        cast(0 as numeric(18, 2)) as scheduled_fee_cny,
        costs.spend_total_cny as published_fee_cny
    from {{ ref('mart_channel_cost_per_inquiry') }} as costs
    left join {{ ref('dim_companies') }} as companies
        on costs.company_id = companies.company_id
    where companies.data_through_date is null
        or costs.date_day > companies.data_through_date

),

{{ totals_mismatch('fee_cny', ['company_id', 'channel_id', 'month_start'], 'scheduled', 'published') }}
union all
select * from after_data_through
