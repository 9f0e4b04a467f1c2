-- One row per company x day x channel with any cost: variable PPC/P4P spend (converted) and
-- fixed fees spread over contract days, with impressions and clicks.
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
        company_id,
        date_day,
        channel_id,
        cast(sum(spend_variable_cny) as numeric(18, 2)) as spend_variable_cny,
        cast(sum(spend_fixed_cny) as numeric(18, 2)) as spend_fixed_cny,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks
    from unioned
    group by company_id, date_day, channel_id

)

select * from final
