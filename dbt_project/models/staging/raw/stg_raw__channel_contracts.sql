-- One row per fixed-fee contract that counts. A contract's key is (company_id, channel,
-- contract_start) where the channel is the MAPPED canonical channel_id, so a re-export that
-- relabels a channel ("阿里巴巴国际站" -> "Alibaba.com") replaces the earlier row instead of adding
-- a second fee. Labels no alias maps to keep their own normalised label as the channel key (two
-- unmapped contracts are not one). Of the rows sharing a key, those of the latest load count.
with raw_contracts as (

    select
        raw.*,
        {{ company_id_or_default('raw.company_id') }} as contract_company_id,
        coalesce(alias_keys.channel_id, 'unknown') as mapped_channel_id,
        coalesce(alias_keys.channel_id, 'label:' || {{ normalize_label('raw.channel_label') }}) as channel_key
    from {{ source('raw', 'channel_contracts') }} as raw
    left join {{ ref('int_channel_alias_keys') }} as alias_keys
        on {{ normalize_label('raw.channel_label') }} = alias_keys.label_key

),

latest_rows as (

    {{ latest_load('raw_contracts', ['contract_company_id', 'channel_key', 'contract_start']) }}

),

final as (

    select
        contract_company_id as company_id,
        trim(channel_label) as channel_label,
        mapped_channel_id as channel_id,
        channel_key,
        cast(contract_start as date) as contract_start,
        cast(contract_end as date) as contract_end,
        cast(coalesce(fee, 0) as numeric(18, 2)) as fee,
        {{ currency_code('currency') }} as currency,
        description,
        {{ load_provenance() }}
    from latest_rows

)

select * from final
