-- Fails for every company and month where revenue in mart_product_margin differs from the
-- imported order lines that count (latest load wins), each converted at its order date's rate
-- and rounded to the cent, by more than var('reconciliation_tolerance_cny').
with imported as (

    select
        lines.company_id,
        {{ month_start('lines.order_date') }} as month_start,
        sum({{ money(exact('lines.quantity') ~ ' * lines.unit_price * ' ~ cny_per_unit('fx', 'lines.currency')) }}) as revenue_cny
    from {{ ref('stg_raw__orders') }} as lines
    {{ fx_rate_join('fx', 'lines.currency', 'lines.order_date') }}
    group by lines.company_id, {{ month_start('lines.order_date') }}

),

published as (

    select company_id, month_start, sum(revenue_cny) as revenue_cny
    from {{ ref('mart_product_margin') }}
    group by company_id, month_start

),

compared as (

    select
        coalesce(imported.company_id, published.company_id) as company_id,
        coalesce(imported.month_start, published.month_start) as month_start,
        coalesce(imported.revenue_cny, 0) as imported_revenue_cny,
        coalesce(published.revenue_cny, 0) as published_revenue_cny
    from imported
    full outer join published
        on imported.company_id = published.company_id
        and imported.month_start = published.month_start

)

select *
from compared
where abs(imported_revenue_cny - published_revenue_cny) > {{ var('reconciliation_tolerance_cny') }}
