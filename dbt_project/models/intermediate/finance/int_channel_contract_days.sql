-- One row per contract per day it covers (both ends inclusive, leap days included). Each day
-- carries the fee divided by the contract's days, rounded to the cent; the last day carries
-- the remainder so the days add back to the fee exactly. Where rounding up would leave the
-- last day negative (a tiny fee over many days) the daily amount is truncated instead.
with contracts as (

    select * from {{ ref('int_channel_contracts_converted') }}
    where contract_days > 0

),

day_numbers as (

    select cast(generated_number as integer) as day_number
    from ({{ dbt.generate_series(var('max_spine_days')) }}) as series

),

daily_amounts as (

    select
        contracts.*,
        {{ money('fee_cny / contract_days') }} as rounded_daily_cny,
        {{ money_floor('fee_cny / contract_days') }} as truncated_daily_cny
    from contracts

),

chosen_amounts as (

    select
        daily_amounts.*,
        case
            when fee_cny - rounded_daily_cny * (contract_days - 1) >= 0 then rounded_daily_cny
            else truncated_daily_cny
        end as daily_cny
    from daily_amounts

),

final as (

    select
        chosen_amounts.company_id,
        chosen_amounts.channel_label,
        chosen_amounts.channel_id,
        chosen_amounts.contract_start,
        chosen_amounts.contract_end,
        chosen_amounts.contract_days,
        chosen_amounts.fee_cny,
        day_numbers.day_number,
        {{ add_days('chosen_amounts.contract_start', 'day_numbers.day_number - 1') }} as date_day,
        cast(
            case
                when day_numbers.day_number = chosen_amounts.contract_days
                    then chosen_amounts.fee_cny - chosen_amounts.daily_cny * (chosen_amounts.contract_days - 1)
                else chosen_amounts.daily_cny
            end
        as numeric(18, 2)) as spend_fixed_cny
    from chosen_amounts
    inner join day_numbers
        on day_numbers.day_number <= chosen_amounts.contract_days

)

select * from final
