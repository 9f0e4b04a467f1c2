-- One row per company x month_start (all channels and products): the funnel of the inquiries
-- received that month with the stage rates precomputed for readers who do not write SQL.
-- These are cohort figures: a month's inquiries keep moving through the funnel after the month
-- ends, so a recent month's rates are not final. open_share = inquiries still open / valid;
-- a cohort is mature when its month is complete (month end <= data-through date) and either
-- at most var('cohort_mature_max_open_share') of it is still open or the month ended at least
-- var('cohort_mature_days') days before the data-through date (what is still open by then is
-- stale, not in progress). Dashboards mark immature months so they do not look worst by
-- construction.
{%- set counts = ['inquiries_total', 'inquiries_invalid', 'inquiries_valid', 'inquiries_intentional', 'inquiries_effective', 'inquiries_won', 'inquiries_lost', 'inquiries_open'] %}
with monthly as (

    select
        company_id,
        {{ month_start('received_date') }} as month_start,
        {%- for column in counts %}
        cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        cast(sum(won_revenue_cny) as numeric(18, 2)) as won_revenue_cny,
        cast(sum(sum_days_to_won) as {{ dbt.type_bigint() }}) as sum_days_to_won
    from {{ ref('mart_inquiry_funnel') }}
    group by company_id, {{ month_start('received_date') }}

),

rated as (

    select
        monthly.*,
        {{ add_days(dbt.dateadd('month', 1, 'monthly.month_start'), '-1') }} as month_end,
        {{ funnel_stage_rates() }},
        {{ safe_divide('inquiries_won', 'inquiries_valid') }} as overall_conversion_rate,
        {{ safe_divide('inquiries_invalid', 'inquiries_total') }} as invalid_rate,
        {{ safe_divide('sum_days_to_won', 'inquiries_won') }} as avg_days_to_won,
        {{ safe_divide('inquiries_open', 'inquiries_valid') }} as open_share
    from monthly

),

final as (

    select
        rated.company_id,
        rated.month_start,
        {%- for column in counts %}
        rated.{{ column }},
        {%- endfor %}
        rated.won_revenue_cny,
        rated.sum_days_to_won,
        rated.intentional_rate,
        rated.effective_rate,
        rated.win_rate,
        rated.overall_conversion_rate,
        rated.invalid_rate,
        rated.avg_days_to_won,
        rated.open_share,
        coalesce(
            rated.month_end <= periods.data_through_date
            and (
                coalesce(rated.open_share, 0) <= {{ var('cohort_mature_max_open_share') }}
                or {{ add_days('rated.month_end', var('cohort_mature_days') | string) }} <= periods.data_through_date
            ),
            false
        ) as is_cohort_mature,
        {{ is_last_complete_month('rated.month_start', 'periods') }} as is_last_complete_month
    from rated
    left join {{ ref('int_company_reporting_periods') }} as periods
        on rated.company_id = periods.company_id

)

select * from final
