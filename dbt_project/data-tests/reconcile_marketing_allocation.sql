-- Fails for every company and month where the marketing cost allocated in mart_product_margin
-- (unallocated included) differs from the total spend in mart_channel_cost_per_inquiry.
with allocated as (

    select company_id, month_start, sum(allocated_marketing_cost_cny) as cost_cny
    from {{ ref('mart_product_margin') }}
    group by company_id, month_start

),

spent as (

    select company_id, {{ month_start('date_day') }} as month_start, sum(spend_total_cny) as cost_cny
    from {{ ref('mart_channel_cost_per_inquiry') }}
    group by company_id, {{ month_start('date_day') }}

),

{{ monthly_totals_mismatch('cost_cny', 'allocated', 'spent') }}
