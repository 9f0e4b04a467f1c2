-- One row per fixed-fee contract that counts (stg_raw__channel_contracts: keyed by company, mapped
-- channel and contract_start, latest load wins) with its canonical channel, its length in days
-- (both ends inclusive) and its fee in CNY at the rate valid on the contract's first day.
with final as (

    select
        contracts.company_id,
        contracts.channel_label,
        contracts.channel_id,
        contracts.contract_start,
        contracts.contract_end,
        {{ days_between('contracts.contract_start', 'contracts.contract_end') }} + 1 as contract_days,
        contracts.fee,
        contracts.currency,
        {{ money(exact('contracts.fee') ~ ' * ' ~ cny_per_unit('fx', 'contracts.currency')) }} as fee_cny,
        contracts.description
    from {{ ref('stg_raw__channel_contracts') }} as contracts
    {{ fx_rate_join('fx', 'contracts.currency', 'contracts.contract_start') }}

)

select * from final
