-- One row per company x product key: how a product written in the register (its SKU or its
-- name, case-insensitive) resolves to a SKU. SKUs win over names; a name shared by several
-- SKUs resolves to none.
with skus as (

    select distinct company_id, product_sku, product_name
    from {{ ref('stg_raw__product_costs') }}

    union

    select distinct company_id, product_sku, cast(null as {{ dbt.type_string() }}) as product_name
    from {{ ref('stg_raw__orders') }}

),

sku_keys as (

    select distinct
        company_id,
        upper(trim(product_sku)) as product_key,
        product_sku,
        1 as priority
    from skus
    where product_sku is not null

),

name_keys as (

    select
        company_id,
        upper(trim(product_name)) as product_key,
        min(product_sku) as product_sku,
        2 as priority
    from skus
    where product_name is not null
    group by company_id, upper(trim(product_name))
    having count(distinct product_sku) = 1

),

all_keys as (

    select * from sku_keys
    union all
    select * from name_keys

),

ranked as (

    select
        all_keys.*,
        row_number() over (partition by company_id, product_key order by priority, product_sku) as key_rank
    from all_keys

),

final as (

    select company_id, product_key, product_sku
    from ranked
    where key_rank = 1

)

select * from final
