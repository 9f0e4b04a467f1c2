-- One row per company x product_sku: every SKU on a cost card or an order line, with the name
-- and product line of its latest cost card (SKUs sold without a card get line `unknown`).
with cards_ranked as (

    select
        cards.*,
        row_number() over (partition by company_id, product_sku order by valid_from desc) as recency,
        min(valid_from) over (partition by company_id, product_sku) as first_valid_from
    from {{ ref('int_product_cost_cards_valid') }} as cards

),

latest_cards as (

    select * from cards_ranked where recency = 1

),

skus as (

    select company_id, product_sku from {{ ref('stg_raw__product_costs') }}
    union
    select company_id, product_sku from {{ ref('stg_raw__orders') }}

),

final as (

    select
        skus.company_id,
        skus.product_sku,
        coalesce(latest_cards.product_name, skus.product_sku) as product_name,
        coalesce(latest_cards.product_line, 'unknown') as product_line,
        latest_cards.first_valid_from as first_cost_card_from,
        latest_cards.valid_from as current_cost_card_from,
        latest_cards.material_cost as current_material_cost,
        latest_cards.labor_cost as current_labor_cost,
        latest_cards.loss_cost as current_loss_cost,
        latest_cards.process_cost as current_process_cost,
        latest_cards.unit_cost as current_unit_cost,
        latest_cards.currency as cost_currency,
        latest_cards.is_flagship_override
    from skus
    left join latest_cards
        on skus.company_id = latest_cards.company_id
        and skus.product_sku = latest_cards.product_sku
    where skus.product_sku is not null

)

select * from final
