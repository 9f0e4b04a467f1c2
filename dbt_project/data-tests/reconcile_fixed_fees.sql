-- Fails for every company and channel where the fixed spend in mart_channel_cost_per_inquiry,
-- summed over all days, differs from the fees of the imported contracts (converted at the rate
-- of each contract's first day) by more than var('reconciliation_tolerance_cny'): the sum of
-- spend_fixed_cny over whole contracts equals their fees.
with contracts as (

    select
        contracts.company_id,
        coalesce(alias_keys.channel_id, 'unknown') as channel_id,
        {{ money(exact('contracts.fee') ~ ' * ' ~ cny_per_unit('fx', 'contracts.currency')) }} as fee_cny
    from {{ ref('stg_raw__channel_contracts') }} as contracts
    left join {{ ref('int_channel_alias_keys') }} as alias_keys
        on {{ normalize_label('contracts.channel_label') }} = alias_keys.label_key
    {{ fx_rate_join('fx', 'contracts.currency', 'contracts.contract_start') }}

),

imported as (

    select company_id, channel_id, sum(fee_cny) as fee_cny
    from contracts
    group by company_id, channel_id

),

published as (

    select company_id, channel_id, sum(spend_fixed_cny) as fee_cny
    from {{ ref('mart_channel_cost_per_inquiry') }}
    group by company_id, channel_id
    having sum(spend_fixed_cny) <> 0

),

compared as (

    select
        coalesce(imported.company_id, published.company_id) as company_id,
        coalesce(imported.channel_id, published.channel_id) as channel_id,
        coalesce(imported.fee_cny, 0) as imported_fee_cny,
        coalesce(published.fee_cny, 0) as published_fee_cny
    from imported
    full outer join published
        on imported.company_id = published.company_id
        and imported.channel_id = published.channel_id

)

select *
from compared
where abs(imported_fee_cny - published_fee_cny) > {{ var('reconciliation_tolerance_cny') }}
