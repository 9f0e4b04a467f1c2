-- Fails for every contract whose daily pieces do not add back exactly to its fee.
select
    contracts.company_id,
    contracts.channel_label,
    contracts.contract_start,
    contracts.fee_cny,
    sum(days.spend_fixed_cny) as spread_cny,
    count(days.date_day) as days_spread,
    contracts.contract_days
from {{ ref('int_channel_contracts_converted') }} as contracts
left join {{ ref('int_channel_contract_days') }} as days
    on contracts.company_id = days.company_id
    and contracts.channel_label = days.channel_label
    and contracts.contract_start = days.contract_start
group by contracts.company_id, contracts.channel_label, contracts.contract_start,
    contracts.fee_cny, contracts.contract_days
having coalesce(sum(days.spend_fixed_cny), 0) <> contracts.fee_cny
    or count(days.date_day) <> contracts.contract_days
