-- One row per order line (company x order_id x order_line): revenue in CNY at the rate valid on
-- the order date, and production cost from the cost card valid on the order date (the latest
-- card with valid_from <= order_date), converted at the same day's rate. Each amount is rounded
-- to the cent per line; cogs is the sum of the rounded components.
with costed as (

    select
        lines.company_id,
        lines.order_id,
        lines.order_line,
        lines.order_date,
        {{ month_start('lines.order_date') }} as month_start,
        lines.inquiry_id,
        lines.customer,
        lines.product_sku,
        lines.quantity,
        lines.unit_price,
        lines.currency,
        {{ cny_per_unit('sale_fx', 'lines.currency') }} as cny_per_unit,
        {{ money(exact('lines.quantity') ~ ' * lines.unit_price * ' ~ cny_per_unit('sale_fx', 'lines.currency')) }} as revenue_cny,
        cards.valid_from as cost_card_valid_from,
        cards.currency as cost_currency,
        cards.unit_cost,
        {{ money(exact('lines.quantity') ~ ' * cards.material_cost * ' ~ cny_per_unit('cost_fx', 'cards.currency')) }} as material_cost_cny,
        {{ money(exact('lines.quantity') ~ ' * cards.labor_cost * ' ~ cny_per_unit('cost_fx', 'cards.currency')) }} as labor_cost_cny,
        {{ money(exact('lines.quantity') ~ ' * cards.loss_cost * ' ~ cny_per_unit('cost_fx', 'cards.currency')) }} as loss_cost_cny,
        {{ money(exact('lines.quantity') ~ ' * cards.process_cost * ' ~ cny_per_unit('cost_fx', 'cards.currency')) }} as process_cost_cny,
        cards.product_sku is not null as has_cost_card
    from {{ ref('stg_raw__orders') }} as lines
    {{ fx_rate_join('sale_fx', 'lines.currency', 'lines.order_date') }}
    left join {{ ref('int_product_cost_cards_valid') }} as cards
        on lines.company_id = cards.company_id
        and lines.product_sku = cards.product_sku
        and lines.order_date >= cards.valid_from
        and (cards.valid_until is null or lines.order_date < cards.valid_until)
    {{ fx_rate_join('cost_fx', 'cards.currency', 'lines.order_date') }}

),

final as (

    select
        costed.*,
        cast(material_cost_cny + labor_cost_cny + loss_cost_cny + process_cost_cny as numeric(18, 2)) as cogs_cny,
        cast(revenue_cny - (material_cost_cny + labor_cost_cny + loss_cost_cny + process_cost_cny) as numeric(18, 2)) as gross_profit_cny
    from costed

)

select * from final
