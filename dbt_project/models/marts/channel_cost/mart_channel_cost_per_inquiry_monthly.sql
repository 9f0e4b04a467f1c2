-- One row per company x month_start x channel: the measures of mart_channel_cost_per_inquiry
-- summed over the month, with the cost ratios and the channel's share of valid inquiries
-- precomputed (NULL where a denominator is zero). Gross profit and ROI are NULL when any won
-- revenue of the month has no known production cost (cost coverage below 100 %).
{%- set funnel_counts = ['inquiries_total', 'inquiries_valid', 'inquiries_intentional', 'inquiries_effective', 'inquiries_won'] %}
with monthly as (

    select
        company_id,
        {{ month_start('date_day') }} as month_start,
        channel_id,
        channel_group,
        is_paid,
        {%- for column in ['spend_variable_cny', 'spend_fixed_cny', 'spend_total_cny'] %}
        cast(sum({{ column }}) as numeric(18, 2)) as {{ column }},
        {%- endfor %}
        {%- for column in ['impressions', 'clicks'] + funnel_counts %}
        cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        {%- for column in ['won_revenue_cny', 'won_revenue_costed_cny'] %}
        cast(sum({{ column }}) as numeric(18, 2)) as {{ column }},
        {%- endfor %}
        -- NULL as soon as one day's gross profit is unknown (sum would silently skip it).
        cast(case
            when count(won_gross_profit_cny) = count(*) then sum(won_gross_profit_cny)
        end as numeric(18, 2)) as won_gross_profit_cny,
        cast(sum(inquiries_won_uncosted) as {{ dbt.type_bigint() }}) as inquiries_won_uncosted
    from {{ ref('mart_channel_cost_per_inquiry') }}
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
        -- cost per valid inquiry, and per inquiry reaching each later stage
        {%- for stage, count in [('inquiry', 'inquiries_valid'), ('intentional', 'inquiries_intentional'), ('effective', 'inquiries_effective'), ('won', 'inquiries_won')] %}
        {{ safe_divide('spend_total_cny', count) }} as cost_per_{{ stage }}_cny,
        {%- endfor %}
        {{ safe_divide('won_revenue_cny', 'spend_total_cny') }} as roas,
        {{ safe_divide('won_gross_profit_cny - spend_total_cny', 'spend_total_cny') }} as roi,
        {{ safe_divide('inquiries_total', 'clicks') }} as click_to_inquiry_rate,
        {{ safe_divide('inquiries_valid', 'company_inquiries_valid') }} as inquiry_share,
        coalesce(month_start = last_complete_month_start, false) as is_last_complete_month
    from with_company_totals

)

select * from final
