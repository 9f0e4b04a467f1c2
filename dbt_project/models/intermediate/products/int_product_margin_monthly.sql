-- One row per company x month x product_sku with anything to report: order-line revenue and
-- costs (by order month), valid and won inquiries (by month received) and allocated marketing
-- cost. product_sku `unallocated` carries marketing cost no product could take.
-- Production cost is known only for order lines with a valid cost card (and rate) on their
-- date: revenue_costed_cny is their revenue, the cost columns are their cost, and gross profit
-- is NULL (unknown, not 0) as soon as one order line of the product-month has no known cost -
-- whether or not the product also had inquiries that month.
with order_months as (

    select
        company_id,
        month_start,
        product_sku,
        sum(quantity) as units,
        sum(revenue_cny) as revenue_cny,
        coalesce(sum(case when cogs_cny is not null then revenue_cny end), 0) as revenue_costed_cny,
        coalesce(sum(case when cogs_cny is not null then material_cost_cny end), 0) as material_cost_cny,
        coalesce(sum(case when cogs_cny is not null then labor_cost_cny end), 0) as labor_cost_cny,
        coalesce(sum(case when cogs_cny is not null then loss_cost_cny end), 0) as loss_cost_cny,
        coalesce(sum(case when cogs_cny is not null then process_cost_cny end), 0) as process_cost_cny,
        coalesce(sum(cogs_cny), 0) as cogs_cny,
        coalesce(sum(gross_profit_cny), 0) as gross_profit_cny,
        {{ count_if('cogs_cny is null') }} as order_lines_uncosted,
        0 as inquiries_valid,
        0 as inquiries_won,
        cast(0 as numeric(18, 2)) as allocated_marketing_cost_cny
    from {{ ref('int_order_lines_costed') }}
    group by company_id, month_start, product_sku

),

inquiry_months as (

    select
        company_id,
        {{ month_start('received_date') }} as month_start,
        product_sku,
        cast(0 as numeric(18, 3)) as units,
        cast(0 as numeric(18, 2)) as revenue_cny,
        cast(0 as numeric(18, 2)) as revenue_costed_cny,
        cast(0 as numeric(18, 2)) as material_cost_cny,
        cast(0 as numeric(18, 2)) as labor_cost_cny,
        cast(0 as numeric(18, 2)) as loss_cost_cny,
        cast(0 as numeric(18, 2)) as process_cost_cny,
        cast(0 as numeric(18, 2)) as cogs_cny,
        cast(0 as numeric(18, 2)) as gross_profit_cny,
        0 as order_lines_uncosted,
        {{ count_if('not is_invalid') }} as inquiries_valid,
        {{ count_if('is_won') }} as inquiries_won,
        cast(0 as numeric(18, 2)) as allocated_marketing_cost_cny
    from {{ ref('fct_inquiries') }}
    where product_sku is not null
    group by company_id, {{ month_start('received_date') }}, product_sku

),

allocation_months as (

    select
        company_id,
        month_start,
        product_sku,
        cast(0 as numeric(18, 3)) as units,
        cast(0 as numeric(18, 2)) as revenue_cny,
        cast(0 as numeric(18, 2)) as revenue_costed_cny,
        cast(0 as numeric(18, 2)) as material_cost_cny,
        cast(0 as numeric(18, 2)) as labor_cost_cny,
        cast(0 as numeric(18, 2)) as loss_cost_cny,
        cast(0 as numeric(18, 2)) as process_cost_cny,
        cast(0 as numeric(18, 2)) as cogs_cny,
        cast(0 as numeric(18, 2)) as gross_profit_cny,
        0 as order_lines_uncosted,
        0 as inquiries_valid,
        0 as inquiries_won,
        sum(allocated_marketing_cost_cny) as allocated_marketing_cost_cny
    from {{ ref('int_marketing_cost_allocated') }}
    group by company_id, month_start, product_sku

),

unioned as (

    select * from order_months
    union all
    select * from inquiry_months
    union all
    select * from allocation_months

),

final as (

    select
        company_id,
        month_start,
        product_sku,
        cast(sum(units) as numeric(18, 3)) as units,
        cast(sum(revenue_cny) as numeric(18, 2)) as revenue_cny,
        cast(sum(revenue_costed_cny) as numeric(18, 2)) as revenue_costed_cny,
        cast(sum(material_cost_cny) as numeric(18, 2)) as material_cost_cny,
        cast(sum(labor_cost_cny) as numeric(18, 2)) as labor_cost_cny,
        cast(sum(loss_cost_cny) as numeric(18, 2)) as loss_cost_cny,
        cast(sum(process_cost_cny) as numeric(18, 2)) as process_cost_cny,
        cast(sum(cogs_cny) as numeric(18, 2)) as cogs_cny,
        cast(case
            when sum(order_lines_uncosted) = 0 then sum(gross_profit_cny)
        end as numeric(18, 2)) as gross_profit_cny,
        cast(sum(order_lines_uncosted) as integer) as order_lines_uncosted,
        cast(sum(inquiries_valid) as integer) as inquiries_valid,
        cast(sum(inquiries_won) as integer) as inquiries_won,
        cast(sum(allocated_marketing_cost_cny) as numeric(18, 2)) as allocated_marketing_cost_cny
    from unioned
    group by company_id, month_start, product_sku

)

select * from final
