-- One row per cost card (company x product_sku x valid_from) with the half-open range of days
-- [valid_from, valid_until) it applies to and its unit cost (material + labour + production
-- loss + process), in the card's currency.
with cards as (

    select * from {{ ref('stg_raw__product_costs') }}

),

final as (

    select
        company_id,
        product_sku,
        product_name,
        product_line,
        valid_from,
        lead(valid_from) over (partition by company_id, product_sku order by valid_from) as valid_until,
        material_cost,
        labor_cost,
        loss_cost,
        process_cost,
        material_cost + labor_cost + loss_cost + process_cost as unit_cost,
        currency,
        is_flagship_override
    from cards

)

select * from final
