-- One row per company x month x product_sku present in int_product_margin_monthly: its
-- trailing-twelve-month gross profit (that month and the 11 before) and its class. Within each
-- company and month, products are ranked by trailing gross profit (ties: lowest SKU); a product
-- is `flagship` while the products ranked above it make less than var('flagship_threshold') of
-- the total positive trailing gross profit, i.e. the top products that together reach 80 %.
-- A product with no positive gross profit is `supporting`. The override on the cost card valid
-- at the month's end wins. The pseudo-product `unallocated` is not classified here.
with product_months as (

    select company_id, month_start, product_sku, gross_profit_cny
    from {{ ref('int_product_margin_monthly') }}
    where product_sku <> 'unallocated'

),

company_months as (

    select distinct company_id, month_start
    from product_months

),

trailing_profit as (

    select
        company_months.company_id,
        company_months.month_start,
        product_months.product_sku,
        sum(product_months.gross_profit_cny) as ttm_gross_profit_cny
    from company_months
    inner join product_months
        on company_months.company_id = product_months.company_id
        and product_months.month_start <= company_months.month_start
        and product_months.month_start > cast({{ dbt.dateadd('month', -(var('flagship_trailing_months') | int), 'company_months.month_start') }} as date)
    group by company_months.company_id, company_months.month_start, product_months.product_sku

),

ranked as (

    select
        trailing_profit.*,
        sum(case when ttm_gross_profit_cny > 0 then ttm_gross_profit_cny else 0 end)
            over (partition by company_id, month_start) as ttm_positive_total_cny,
        coalesce(sum(ttm_gross_profit_cny) over (
            partition by company_id, month_start
            order by ttm_gross_profit_cny desc, product_sku
            rows between unbounded preceding and 1 preceding
        ), 0) as ttm_ranked_above_cny
    from trailing_profit

),

overrides as (

    select
        ranked.company_id,
        ranked.month_start,
        ranked.product_sku,
        cards.is_flagship_override
    from ranked
    inner join {{ ref('int_product_cost_cards_valid') }} as cards
        on ranked.company_id = cards.company_id
        and ranked.product_sku = cards.product_sku
        and cards.valid_from <= cast({{ dbt.last_day('ranked.month_start', 'month') }} as date)
        and (cards.valid_until is null
             or cards.valid_until > cast({{ dbt.last_day('ranked.month_start', 'month') }} as date))

),

classified as (

    select
        ranked.company_id,
        ranked.month_start,
        ranked.product_sku,
        cast(ranked.ttm_gross_profit_cny as numeric(18, 2)) as ttm_gross_profit_cny,
        cast(ranked.ttm_positive_total_cny as numeric(18, 2)) as ttm_positive_total_cny,
        cast(ranked.ttm_ranked_above_cny as numeric(18, 2)) as ttm_ranked_above_cny,
        ranked.ttm_gross_profit_cny > 0
            and ranked.ttm_ranked_above_cny < {{ var('flagship_threshold') }} * ranked.ttm_positive_total_cny
            as is_flagship_by_profit,
        overrides.is_flagship_override
    from ranked
    left join overrides
        on {{ same_keys('ranked', 'overrides', ['company_id', 'month_start', 'product_sku']) }}

),

final as (

    select
        company_id,
        month_start,
        product_sku,
        ttm_gross_profit_cny,
        ttm_positive_total_cny,
        ttm_ranked_above_cny,
        is_flagship_by_profit,
        is_flagship_override,
        case
            when coalesce(is_flagship_override, is_flagship_by_profit) then 'flagship'
            else 'supporting'
        end as product_class
    from classified

)

select * from final
