-- Fails for every company and channel where the whole fee schedule (mart_channel_fee_schedule,
-- every contract day including days after the data-through date) differs from the fees of the
-- imported contracts that count (stg_raw__channel_contracts: keyed by mapped channel and
-- contract_start, latest load wins), each converted at the rate of its first day, by more than
-- var('reconciliation_tolerance_cny'). A relabelled re-export counted twice fails here.
with imported as (

    select
        contracts.company_id,
        contracts.channel_id,
        sum({{ money(exact('contracts.fee') ~ ' * ' ~ cny_per_unit('fx', 'contracts.currency')) }}) as fee_cny
    from {{ ref('stg_raw__channel_contracts') }} as contracts
    {{ fx_rate_join('fx', 'contracts.currency', 'contracts.contract_start') }}
    where contracts.contract_end >= contracts.contract_start
    group by contracts.company_id, contracts.channel_id

),

published as (

    select company_id, channel_id, sum(fee_cny) as fee_cny
    from {{ ref('mart_channel_fee_schedule') }}
    group by company_id, channel_id

),

{{ totals_mismatch('fee_cny', ['company_id', 'channel_id']) }}
