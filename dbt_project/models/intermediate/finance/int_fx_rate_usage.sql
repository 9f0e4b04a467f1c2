-- One row per amount kind x company x currency x day a foreign-currency amount is converted on:
-- which rate it used (the day's rate or the latest earlier one, rates being global) and how old
-- that rate was. A NULL rate_date means no rate on or before the day: a test fails the build, as
-- for spend. The quality gate warns when rate_age_days exceeds XUNPAN_FX_MAX_AGE_DAYS.
with usages as (

    select 'ad_spend' as amount_kind, company_id, currency, spend_date as used_on
    from {{ ref('int_ad_spend_converted') }}

    union all

    select 'order_line' as amount_kind, company_id, currency, order_date as used_on
    from {{ ref('int_order_lines_costed') }}

    union all

    select 'cost_card' as amount_kind, company_id, cost_currency as currency, order_date as used_on
    from {{ ref('int_order_lines_costed') }}
    where has_cost_card

    union all

    select 'deal_amount' as amount_kind, company_id, {{ currency_code('deal_currency') }} as currency,
        cast(won_at_local as date) as used_on
    from {{ ref('int_inquiry_stage_dates') }}
    where is_won and deal_amount is not null

    union all

    select 'channel_contract' as amount_kind, company_id, currency, contract_start as used_on
    from {{ ref('int_channel_contracts_converted') }}

),

foreign_usages as (

    select amount_kind, company_id, currency, used_on, count(*) as amounts
    from usages
    where currency <> 'CNY'
    group by amount_kind, company_id, currency, used_on

),

final as (

    select
        foreign_usages.amount_kind,
        foreign_usages.company_id,
        foreign_usages.currency,
        foreign_usages.used_on,
        foreign_usages.amounts,
        fx.rate_date,
        fx.cny_per_unit,
        {{ days_between('fx.rate_date', 'foreign_usages.used_on') }} as rate_age_days
    from foreign_usages
    {{ fx_rate_join('fx', 'foreign_usages.currency', 'foreign_usages.used_on') }}

)

select * from final
