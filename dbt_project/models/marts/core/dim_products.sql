-- One row per company x product_sku: attributes from the latest cost card and the product's
-- class in its latest month in mart_product_margin.
with products as (

    select * from {{ ref('int_products') }}

),

latest_class as (

    select
        company_id,
        product_sku,
        product_class,
        row_number() over (partition by company_id, product_sku order by month_start desc) as recency
    from {{ ref('int_product_classes') }}

),

final as (

    select
        products.company_id,
        products.product_sku,
        products.product_name,
        products.product_line,
        products.first_cost_card_from,
        products.current_cost_card_from,
        products.current_material_cost,
        products.current_labor_cost,
        products.current_loss_cost,
        products.current_process_cost,
        products.current_unit_cost,
        products.cost_currency,
        products.is_flagship_override,
        coalesce(latest_class.product_class, 'supporting') as current_product_class
    from products
    left join latest_class
        on products.company_id = latest_class.company_id
        and products.product_sku = latest_class.product_sku
        and latest_class.recency = 1

)

select * from final
