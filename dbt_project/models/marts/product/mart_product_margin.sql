-- One row per company x month_start x product_sku: units, revenue and production cost of the
-- month's order lines, valid and won inquiries received that month, allocated marketing cost,
-- contribution and the product's class. product_sku `unallocated` (class `unallocated`) holds
-- marketing cost of channel-months with no valid inquiry for a known product, so the month's
-- allocations add back to total marketing cost. Gross profit and contribution are NULL (unknown,
-- flagged by order_lines_uncosted) when some of the month's revenue has no valid cost card;
-- revenue_costed_cny and cost_coverage show how much of the revenue has a known cost.
with final as (

    select
        margins.company_id,
        margins.month_start,
        margins.product_sku,
        case
            when margins.product_sku = 'unallocated' then '未分摊营销费用 (unallocated marketing cost)'
            else coalesce(products.product_name, margins.product_sku)
        end as product_name,
        case
            when margins.product_sku = 'unallocated' then 'unallocated'
            else coalesce(products.product_line, 'unknown')
        end as product_line,
        margins.units,
        margins.revenue_cny,
        margins.revenue_costed_cny,
        {{ safe_divide('margins.revenue_costed_cny', 'margins.revenue_cny') }} as cost_coverage,
        margins.order_lines_uncosted,
        margins.material_cost_cny,
        margins.labor_cost_cny,
        margins.loss_cost_cny,
        margins.process_cost_cny,
        margins.cogs_cny,
        margins.gross_profit_cny,
        margins.inquiries_valid,
        margins.inquiries_won,
        margins.allocated_marketing_cost_cny,
        cast(margins.gross_profit_cny - margins.allocated_marketing_cost_cny as numeric(18, 2)) as contribution_cny,
        case
            when margins.product_sku = 'unallocated' then 'unallocated'
            else coalesce(classes.product_class, 'supporting')
        end as product_class,
        coalesce(margins.month_start = periods.last_complete_month_start, false) as is_last_complete_month
    from {{ ref('int_product_margin_monthly') }} as margins
    left join {{ ref('int_products') }} as products
        on margins.company_id = products.company_id
        and margins.product_sku = products.product_sku
    left join {{ ref('int_product_classes') }} as classes
        on margins.company_id = classes.company_id
        and margins.month_start = classes.month_start
        and margins.product_sku = classes.product_sku
    left join {{ ref('int_company_reporting_periods') }} as periods
        on margins.company_id = periods.company_id

)

select * from final
