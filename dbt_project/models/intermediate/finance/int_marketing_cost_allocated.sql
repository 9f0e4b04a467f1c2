-- One row per company x month x channel x product_sku: the channel's marketing cost that month
-- (variable + fixed) allocated in proportion to ALL its valid inquiries received that month:
-- each product gets the share of the inquiries naming it, and the share of the inquiries naming
-- no (known) product goes to product_sku `unallocated` - so careful product recording does not
-- load a product with the cost of inquiries that named none. Shares are rounded to the cent and
-- the rounding remainder goes to the largest share (ties: lowest SKU), so the allocations add
-- back exactly to the channel cost. A channel-month with cost but no valid inquiry at all is
-- kept whole on `unallocated`.
{%- set channel_month = ['company_id', 'month_start', 'channel_id'] %}
with channel_costs as (

    select
        company_id,
        {{ month_start('date_day') }} as month_start,
        channel_id,
        cast(sum(spend_variable_cny + spend_fixed_cny) as numeric(18, 2)) as channel_cost_cny
    from {{ ref('int_channel_costs_daily') }}
    group by company_id, {{ month_start('date_day') }}, channel_id

),

product_inquiries as (

    select
        company_id,
        {{ month_start('received_date') }} as month_start,
        channel_id,
        coalesce(product_sku, 'unallocated') as product_sku,
        count(*) as inquiries_valid
    from {{ ref('fct_inquiries') }}
    where not is_invalid
    group by company_id, {{ month_start('received_date') }}, channel_id, coalesce(product_sku, 'unallocated')

),

channel_inquiries as (

    select
        company_id,
        month_start,
        channel_id,
        sum(inquiries_valid) as channel_inquiries_valid
    from product_inquiries
    group by company_id, month_start, channel_id

),

shares as (

    select
        channel_costs.company_id,
        channel_costs.month_start,
        channel_costs.channel_id,
        channel_costs.channel_cost_cny,
        product_inquiries.product_sku,
        product_inquiries.inquiries_valid,
        channel_inquiries.channel_inquiries_valid,
        {{ money('channel_costs.channel_cost_cny * product_inquiries.inquiries_valid / channel_inquiries.channel_inquiries_valid') }} as rounded_share_cny,
        row_number() over (
            partition by channel_costs.{{ channel_month | join(', channel_costs.') }}
            order by product_inquiries.inquiries_valid desc, product_inquiries.product_sku
        ) as share_rank
    from channel_costs
    inner join channel_inquiries
        on {{ same_keys('channel_costs', 'channel_inquiries', channel_month) }}
    inner join product_inquiries
        on {{ same_keys('channel_costs', 'product_inquiries', channel_month) }}

),

remainders as (

    select
        company_id,
        month_start,
        channel_id,
        channel_cost_cny - sum(rounded_share_cny) as remainder_cny
    from shares
    group by company_id, month_start, channel_id, channel_cost_cny

),

allocated as (

    select
        shares.company_id,
        shares.month_start,
        shares.channel_id,
        shares.product_sku,
        shares.inquiries_valid,
        shares.channel_inquiries_valid,
        shares.channel_cost_cny,
        cast(
            shares.rounded_share_cny
            + case when shares.share_rank = 1 then remainders.remainder_cny else 0 end
        as numeric(18, 2)) as allocated_marketing_cost_cny
    from shares
    inner join remainders
        on {{ same_keys('shares', 'remainders', channel_month) }}

),

unallocated as (

    select
        channel_costs.company_id,
        channel_costs.month_start,
        channel_costs.channel_id,
        'unallocated' as product_sku,
        0 as inquiries_valid,
        0 as channel_inquiries_valid,
        channel_costs.channel_cost_cny,
        channel_costs.channel_cost_cny as allocated_marketing_cost_cny
    from channel_costs
    left join channel_inquiries
        on {{ same_keys('channel_costs', 'channel_inquiries', channel_month) }}
    where channel_inquiries.channel_id is null
        and channel_costs.channel_cost_cny <> 0

),

final as (

    select * from allocated
    union all
    select * from unallocated

)

select * from final
