-- One row per cost card: company x product_sku x valid_from (latest load wins).
with latest_rows as (

    {{ latest_load(source('raw', 'product_costs'), ['company_id', 'product_sku', 'valid_from']) }}

),

final as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        upper(trim(product_sku)) as product_sku,
        trim(product_name) as product_name,
        coalesce(nullif(trim(product_line), ''), 'unknown') as product_line,
        cast(valid_from as date) as valid_from,
        cast(coalesce(material_cost, 0) as numeric(18, 4)) as material_cost,
        cast(coalesce(labor_cost, 0) as numeric(18, 4)) as labor_cost,
        cast(coalesce(loss_cost, 0) as numeric(18, 4)) as loss_cost,
        cast(coalesce(process_cost, 0) as numeric(18, 4)) as process_cost,
        {{ currency_code('currency') }} as currency,
        cast(is_flagship as boolean) as is_flagship_override,
        {{ load_provenance() }}
    from latest_rows

)

select * from final
