-- One row per order line (latest load wins per company, order_id, order_line).
with latest_rows as (

    {{ latest_load(source('raw', 'orders'), ['company_id', 'order_id', 'order_line']) }}

),

final as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        trim(order_id) as order_id,
        cast(order_line as integer) as order_line,
        cast(order_date as date) as order_date,
        nullif(trim(inquiry_id), '') as inquiry_id,
        customer,
        upper(trim(product_sku)) as product_sku,
        cast(quantity as numeric(18, 3)) as quantity,
        cast(unit_price as numeric(18, 4)) as unit_price,
        {{ currency_code('currency') }} as currency,
        {{ load_provenance() }}
    from latest_rows

)

select * from final
