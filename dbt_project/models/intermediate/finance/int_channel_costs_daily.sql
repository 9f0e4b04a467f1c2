-- One row per company x day x channel with any cost: variable PPC/P4P spend (converted) and
-- fixed fees spread over contract days, with impressions and clicks. Only days up to the
-- company's data-through date count as reported cost (a month in progress carries the fees of
-- its elapsed days only); the whole schedule stays in mart_channel_fee_schedule.
with variable_spend as (

    select
        company_id,
        spend_date as date_day,
        channel_id,
        sum(spend_cny) as spend_variable_cny,
        cast(0 as numeric(18, 2)) as spend_fixed_cny,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('int_ad_spend_converted') }}
    group by company_id, spend_date, channel_id

),

fixed_spend as (

    select
        company_id,
        date_day,
        channel_id,
        cast(0 as numeric(18, 2)) as spend_variable_cny,
        sum(spend_fixed_cny) as spend_fixed_cny,
        cast(0 as {{ dbt.type_bigint() }}) as impressions,
        cast(0 as {{ dbt.type_bigint() }}) as clicks
    from {{ ref('int_channel_contract_days') }}
    group by company_id, date_day, channel_id

),

unioned as (

    select * from variable_spend
    union all
    select * from fixed_spend

),

final as (

    select
        unioned.company_id,
        unioned.date_day,
        unioned.channel_id,
        cast(sum(unioned.spend_variable_cny) as numeric(18, 2)) as spend_variable_cny,
        cast(sum(unioned.spend_fixed_cny) as numeric(18, 2)) as spend_fixed_cny,
        cast(sum(unioned.impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(unioned.clicks) as {{ dbt.type_bigint() }}) as clicks
    from unioned
    inner join {{ ref('int_company_reporting_periods') }} as periods
        on unioned.company_id = periods.company_id
    where unioned.date_day <= periods.data_through_date
    group by unioned.company_id, unioned.date_day, unioned.channel_id

)

select * from final
