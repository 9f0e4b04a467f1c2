-- One row per fixed-fee contract per day it covers, the whole schedule including days after the
-- company's data-through date (for planning). is_reported marks the days the cost marts count.
with final as (

    select
        contract_days.company_id,
        contract_days.channel_id,
        channels.channel_group,
        contract_days.channel_label,
        contract_days.contract_start,
        contract_days.contract_end,
        contract_days.contract_days,
        contract_days.fee_cny as contract_fee_cny,
        contract_days.date_day,
        {{ month_start('contract_days.date_day') }} as month_start,
        contract_days.spend_fixed_cny as fee_cny,
        coalesce(contract_days.date_day <= periods.data_through_date, false) as is_reported
    from {{ ref('int_channel_contract_days') }} as contract_days
    inner join {{ ref('dim_channels') }} as channels
        on contract_days.channel_id = channels.channel_id
    left join {{ ref('int_company_reporting_periods') }} as periods
        on contract_days.company_id = periods.company_id

)

select * from final
