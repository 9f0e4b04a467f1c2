-- One row per fixed-fee contract (company x channel_label x contract_start) with its canonical
-- channel, its length in days (both ends inclusive) and its fee in CNY at the rate valid on the
-- contract's first day.
with contracts as (

    select * from {{ ref('stg_raw__channel_contracts') }}

),

final as (

    select
        contracts.company_id,
        contracts.channel_label,
        coalesce(alias_keys.channel_id, 'unknown') as channel_id,
        contracts.contract_start,
        contracts.contract_end,
        {{ days_between('contracts.contract_start', 'contracts.contract_end') }} + 1 as contract_days,
        contracts.fee,
        contracts.currency,
        {{ money(exact('contracts.fee') ~ ' * ' ~ cny_per_unit('fx', 'contracts.currency')) }} as fee_cny,
        contracts.description
    from contracts
    left join {{ ref('int_channel_alias_keys') }} as alias_keys
        on {{ normalize_label('contracts.channel_label') }} = alias_keys.label_key
    {{ fx_rate_join('fx', 'contracts.currency', 'contracts.contract_start') }}

)

select * from final
