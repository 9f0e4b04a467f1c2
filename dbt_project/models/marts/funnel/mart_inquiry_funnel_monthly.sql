-- One row per company x month_start (all channels and products): the funnel of the inquiries
-- received that month with the stage rates precomputed for readers who do not write SQL.
with funnel as (

    select * from {{ ref('mart_inquiry_funnel') }}

),

monthly as (

    select
        company_id,
        {{ month_start('received_date') }} as month_start,
        cast(sum(inquiries_total) as {{ dbt.type_bigint() }}) as inquiries_total,
        cast(sum(inquiries_invalid) as {{ dbt.type_bigint() }}) as inquiries_invalid,
        cast(sum(inquiries_valid) as {{ dbt.type_bigint() }}) as inquiries_valid,
        cast(sum(inquiries_intentional) as {{ dbt.type_bigint() }}) as inquiries_intentional,
        cast(sum(inquiries_effective) as {{ dbt.type_bigint() }}) as inquiries_effective,
        cast(sum(inquiries_won) as {{ dbt.type_bigint() }}) as inquiries_won,
        cast(sum(inquiries_lost) as {{ dbt.type_bigint() }}) as inquiries_lost,
        cast(sum(inquiries_open) as {{ dbt.type_bigint() }}) as inquiries_open,
        cast(sum(won_revenue_cny) as numeric(18, 2)) as won_revenue_cny,
        cast(sum(sum_days_to_won) as {{ dbt.type_bigint() }}) as sum_days_to_won
    from funnel
    group by company_id, {{ month_start('received_date') }}

),

final as (

    select
        monthly.*,
        {{ safe_divide('inquiries_intentional', 'inquiries_valid') }} as intentional_rate,
        {{ safe_divide('inquiries_effective', 'inquiries_intentional') }} as effective_rate,
        {{ safe_divide('inquiries_won', 'inquiries_effective') }} as win_rate,
        {{ safe_divide('inquiries_won', 'inquiries_valid') }} as overall_conversion_rate,
        {{ safe_divide('inquiries_invalid', 'inquiries_total') }} as invalid_rate,
        {{ safe_divide('sum_days_to_won', 'inquiries_won') }} as avg_days_to_won
    from monthly

)

select * from final
