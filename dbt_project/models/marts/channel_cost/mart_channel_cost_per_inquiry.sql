-- One row per company x date x channel where there is spend or an inquiry, up to the company's
-- data-through date: variable and fixed spend that day, impressions and clicks, and the
-- inquiries received that day from the channel with the stage they have reached (cohort view)
-- and their won revenue and gross profit. Gross profit is NULL (unknown, not 0) when any won
-- inquiry of the row has revenue whose production cost is unknown; won_revenue_costed_cny is the
-- part of won revenue whose cost is known (cost coverage = costed / revenue).
with costs as (

    select
        company_id,
        date_day,
        channel_id,
        spend_variable_cny,
        spend_fixed_cny,
        impressions,
        clicks,
        0 as inquiries_total,
        0 as inquiries_valid,
        0 as inquiries_intentional,
        0 as inquiries_effective,
        0 as inquiries_won,
        cast(0 as numeric(18, 2)) as won_revenue_cny,
        cast(0 as numeric(18, 2)) as won_revenue_costed_cny,
        cast(0 as numeric(18, 2)) as won_gross_profit_cny,
        0 as inquiries_won_uncosted
    from {{ ref('int_channel_costs_daily') }}

),

inquiries as (

    select
        company_id,
        received_date as date_day,
        channel_id,
        cast(0 as numeric(18, 2)) as spend_variable_cny,
        cast(0 as numeric(18, 2)) as spend_fixed_cny,
        cast(0 as {{ dbt.type_bigint() }}) as impressions,
        cast(0 as {{ dbt.type_bigint() }}) as clicks,
        count(*) as inquiries_total,
        {{ count_if('not is_invalid') }} as inquiries_valid,
        {{ count_if("not is_invalid and stage_reached in ('intentional', 'effective', 'won')") }} as inquiries_intentional,
        {{ count_if("not is_invalid and stage_reached in ('effective', 'won')") }} as inquiries_effective,
        {{ count_if("not is_invalid and stage_reached = 'won'") }} as inquiries_won,
        coalesce(sum(case when is_won then won_revenue_cny end), 0) as won_revenue_cny,
        coalesce(sum(case when is_won and won_gross_profit_cny is not null then won_revenue_cny end), 0) as won_revenue_costed_cny,
        coalesce(sum(case when is_won then won_gross_profit_cny end), 0) as won_gross_profit_cny,
        {{ count_if('is_won and won_gross_profit_cny is null') }} as inquiries_won_uncosted
    from {{ ref('fct_inquiries') }}
    group by company_id, received_date, channel_id

),

unioned as (

    select * from costs
    union all
    select * from inquiries

),

daily as (

    select
        company_id,
        date_day,
        channel_id,
        cast(sum(spend_variable_cny) as numeric(18, 2)) as spend_variable_cny,
        cast(sum(spend_fixed_cny) as numeric(18, 2)) as spend_fixed_cny,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        cast(sum(inquiries_total) as integer) as inquiries_total,
        cast(sum(inquiries_valid) as integer) as inquiries_valid,
        cast(sum(inquiries_intentional) as integer) as inquiries_intentional,
        cast(sum(inquiries_effective) as integer) as inquiries_effective,
        cast(sum(inquiries_won) as integer) as inquiries_won,
        cast(sum(won_revenue_cny) as numeric(18, 2)) as won_revenue_cny,
        cast(sum(won_revenue_costed_cny) as numeric(18, 2)) as won_revenue_costed_cny,
        cast(sum(won_gross_profit_cny) as numeric(18, 2)) as won_gross_profit_cny,
        cast(sum(inquiries_won_uncosted) as integer) as inquiries_won_uncosted
    from unioned
    group by company_id, date_day, channel_id

),

final as (

    select
        daily.company_id,
        daily.date_day,
        daily.channel_id,
        channels.channel_group,
        channels.is_paid,
        daily.spend_variable_cny,
        daily.spend_fixed_cny,
        cast(daily.spend_variable_cny + daily.spend_fixed_cny as numeric(18, 2)) as spend_total_cny,
        daily.impressions,
        daily.clicks,
        daily.inquiries_total,
        daily.inquiries_valid,
        daily.inquiries_intentional,
        daily.inquiries_effective,
        daily.inquiries_won,
        daily.won_revenue_cny,
        daily.won_revenue_costed_cny,
        cast(case when daily.inquiries_won_uncosted = 0 then daily.won_gross_profit_cny end as numeric(18, 2)) as won_gross_profit_cny,
        daily.inquiries_won_uncosted,
        {{ reporting_period_flags('daily.date_day') }}
    {{ reported_channel_days('daily') }}

)

select * from final
