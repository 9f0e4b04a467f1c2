-- One row per company x month_start x channel: the measures of mart_channel_cost_per_inquiry
-- summed over the month, with the cost ratios and the channel's share of valid inquiries
-- precomputed (NULL where a denominator is zero). Gross profit and ROI are NULL when any won
-- revenue of the month has no known production cost (cost coverage below 100 %).
with daily as (

    select * from {{ ref('mart_channel_cost_per_inquiry') }}

),

monthly as (

    select
        company_id,
        {{ month_start('date_day') }} as month_start,
        channel_id,
        channel_group,
        is_paid,
        cast(sum(spend_variable_cny) as numeric(18, 2)) as spend_variable_cny,
        cast(sum(spend_fixed_cny) as numeric(18, 2)) as spend_fixed_cny,
        cast(sum(spend_total_cny) as numeric(18, 2)) as spend_total_cny,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        cast(sum(inquiries_total) as {{ dbt.type_bigint() }}) as inquiries_total,
        cast(sum(inquiries_valid) as {{ dbt.type_bigint() }}) as inquiries_valid,
        cast(sum(inquiries_intentional) as {{ dbt.type_bigint() }}) as inquiries_intentional,
        cast(sum(inquiries_effective) as {{ dbt.type_bigint() }}) as inquiries_effective,
        cast(sum(inquiries_won) as {{ dbt.type_bigint() }}) as inquiries_won,
        cast(sum(won_revenue_cny) as numeric(18, 2)) as won_revenue_cny,
        cast(sum(won_revenue_costed_cny) as numeric(18, 2)) as won_revenue_costed_cny,
        -- NULL as soon as one day's gross profit is unknown (sum would silently skip it).
        cast(case
            when count(won_gross_profit_cny) = count(*) then sum(won_gross_profit_cny)
        end as numeric(18, 2)) as won_gross_profit_cny,
        cast(sum(inquiries_won_uncosted) as {{ dbt.type_bigint() }}) as inquiries_won_uncosted
    from daily
    group by company_id, {{ month_start('date_day') }}, channel_id, channel_group, is_paid

),

with_company_totals as (

    select
        monthly.*,
        sum(monthly.inquiries_valid) over (partition by monthly.company_id, monthly.month_start) as company_inquiries_valid,
        periods.last_complete_month_start
    from monthly
    left join {{ ref('int_company_reporting_periods') }} as periods
        on monthly.company_id = periods.company_id

),

final as (

    select
        company_id,
        month_start,
        channel_id,
        channel_group,
        is_paid,
        spend_variable_cny,
        spend_fixed_cny,
        spend_total_cny,
        impressions,
        clicks,
        inquiries_total,
        inquiries_valid,
        inquiries_intentional,
        inquiries_effective,
        inquiries_won,
        won_revenue_cny,
        won_revenue_costed_cny,
        won_gross_profit_cny,
        inquiries_won_uncosted,
        {{ safe_divide('won_revenue_costed_cny', 'won_revenue_cny') }} as cost_coverage,
        {{ safe_divide('spend_total_cny', 'inquiries_valid') }} as cost_per_inquiry_cny,
        {{ safe_divide('spend_total_cny', 'inquiries_intentional') }} as cost_per_intentional_cny,
        {{ safe_divide('spend_total_cny', 'inquiries_effective') }} as cost_per_effective_cny,
        {{ safe_divide('spend_total_cny', 'inquiries_won') }} as cost_per_won_cny,
        {{ safe_divide('won_revenue_cny', 'spend_total_cny') }} as roas,
        {{ safe_divide('won_gross_profit_cny - spend_total_cny', 'spend_total_cny') }} as roi,
        {{ safe_divide('inquiries_total', 'clicks') }} as click_to_inquiry_rate,
        {{ safe_divide('inquiries_valid', 'company_inquiries_valid') }} as inquiry_share,
        coalesce(month_start = last_complete_month_start, false) as is_last_complete_month
    from with_company_totals

)

select * from final
