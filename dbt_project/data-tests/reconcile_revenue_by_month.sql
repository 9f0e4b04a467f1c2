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

{{ monthly_totals_mismatch('revenue_cny') }}
