-- One row per company x month x product_sku with anything to report: order-line revenue and
-- costs (by order month), valid and won inquiries (by month received) and allocated marketing
-- cost. product_sku `unallocated` carries marketing cost no product could take.
-- Production cost is known only for order lines with a valid cost card (and rate) on their
-- date: revenue_costed_cny is their revenue, the cost columns are their cost, and gross profit
-- is NULL (unknown, not 0) as soon as one order line of the product-month has no known cost -
-- whether or not the product also had inquiries that month.
{#- every measure with its type; each source below computes some of them, the others are 0 -#}
{%- set measures = [
    ('units', 'numeric(18, 3)'),
    ('revenue_cny', 'numeric(18, 2)'),
    ('revenue_costed_cny', 'numeric(18, 2)'),
    ('material_cost_cny', 'numeric(18, 2)'),
    ('labor_cost_cny', 'numeric(18, 2)'),
    ('loss_cost_cny', 'numeric(18, 2)'),
    ('process_cost_cny', 'numeric(18, 2)'),
    ('cogs_cny', 'numeric(18, 2)'),
    ('gross_profit_cny', 'numeric(18, 2)'),
    ('order_lines_uncosted', 'integer'),
    ('inquiries_valid', 'integer'),
    ('inquiries_won', 'integer'),
    ('allocated_marketing_cost_cny', 'numeric(18, 2)'),
] %}
{#- order lines by order month: the costed columns count only lines whose cost is known -#}
{%- set order_measures = {
    'units': 'sum(quantity)',
    'revenue_cny': 'sum(revenue_cny)',
    'cogs_cny': 'coalesce(sum(cogs_cny), 0)',
    'gross_profit_cny': 'coalesce(sum(gross_profit_cny), 0)',
    'order_lines_uncosted': count_if('cogs_cny is null'),
} %}
{%- for measure, column in [
    ('revenue_costed_cny', 'revenue_cny'),
    ('material_cost_cny', 'material_cost_cny'),
    ('labor_cost_cny', 'labor_cost_cny'),
    ('loss_cost_cny', 'loss_cost_cny'),
    ('process_cost_cny', 'process_cost_cny'),
] %}
    {%- do order_measures.update({measure: 'coalesce(sum(case when cogs_cny is not null then ' ~ column ~ ' end), 0)'}) %}
{%- endfor %}
{#- per source: its model, its month, which rows count, and the measures it computes -#}
{%- set sources = [
    ('int_order_lines_costed', 'month_start', none, order_measures),
    ('fct_inquiries', month_start('received_date'), 'product_sku is not null',
        {'inquiries_valid': count_if('not is_invalid'), 'inquiries_won': count_if('is_won')}),
    ('int_marketing_cost_allocated', 'month_start', none,
        {'allocated_marketing_cost_cny': 'sum(allocated_marketing_cost_cny)'}),
] %}
with unioned as (

    {%- for model, month, condition, computed in sources %}
    select
        company_id,
        {{ month }} as month_start,
        product_sku,
        {%- for measure, type in measures %}
        {{ computed.get(measure, 'cast(0 as ' ~ type ~ ')') }} as {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref(model) }}
    {%- if condition %}
    where {{ condition }}
    {%- endif %}
    group by company_id, {{ month }}, product_sku
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        company_id,
        month_start,
        product_sku,
        {%- for measure, type in measures %}
        {%- if measure == 'gross_profit_cny' %}
        cast(case
            when sum(order_lines_uncosted) = 0 then sum(gross_profit_cny)
        end as numeric(18, 2)) as gross_profit_cny,
        {%- else %}
        cast(sum({{ measure }}) as {{ type }}) as {{ measure }}{% if not loop.last %},{% endif %}
        {%- endif %}
        {%- endfor %}
    from unioned
    group by company_id, month_start, product_sku

)

select * from final
