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

compared as (

    select
        coalesce(allocated.company_id, spent.company_id) as company_id,
        coalesce(allocated.month_start, spent.month_start) as month_start,
        coalesce(allocated.cost_cny, 0) as allocated_cny,
        coalesce(spent.cost_cny, 0) as spent_cny
    from allocated
    full outer join spent
        on allocated.company_id = spent.company_id
        and allocated.month_start = spent.month_start

)

select *
from compared
where abs(allocated_cny - spent_cny) > {{ var('reconciliation_tolerance_cny') }}
