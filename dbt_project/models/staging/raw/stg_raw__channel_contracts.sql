-- One row per fixed-fee contract: company x channel_label x contract_start (latest load wins).
with latest_rows as (

    {{ latest_load(source('raw', 'channel_contracts'), ['company_id', 'channel_label', 'contract_start']) }}

),

final as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        trim(channel_label) as channel_label,
        cast(contract_start as date) as contract_start,
        cast(contract_end as date) as contract_end,
        cast(coalesce(fee, 0) as numeric(18, 2)) as fee,
        {{ currency_code('currency') }} as currency,
        description,
        file_sha256,
        cast(source_row as {{ dbt.type_bigint() }}) as source_row,
        cast(load_seq as {{ dbt.type_bigint() }}) as load_seq
    from latest_rows

)

select * from final
