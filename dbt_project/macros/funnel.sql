{#- Macros of the inquiry funnel and the deals it ends in, shared by the funnel, overview and
    channel-cost marts so each figure is defined once. -#}

{#- The stage rates of a funnel row holding inquiries_valid / _intentional / _effective / _won:
    each stage over the one before it, NULL when the earlier stage is 0. -#}
{% macro funnel_stage_rates(prefix='') -%}
    {{ safe_divide(prefix ~ 'inquiries_intentional', prefix ~ 'inquiries_valid') }} as intentional_rate,
        {{ safe_divide(prefix ~ 'inquiries_effective', prefix ~ 'inquiries_intentional') }} as effective_rate,
        {{ safe_divide(prefix ~ 'inquiries_won', prefix ~ 'inquiries_effective') }} as win_rate
{%- endmacro %}

{#- The won inquiries of fct_inquiries on their business won date (won_at is UTC), with revenue
    and gross profit: the body of a `won_deals` CTE. -#}
{% macro won_deals() -%}
    select
        company_id,
        cast({{ dbt.dateadd('hour', var('business_utc_offset_hours') | int, 'won_at') }} as date) as won_date,
        won_revenue_cny,
        won_gross_profit_cny
    from {{ ref('fct_inquiries') }}
    where is_won
{%- endmacro %}

{#- Deals won, their revenue and gross profit, aggregated over the rows of `deals` (a won_deals
    CTE) in a group. Unknown production cost of any deal makes the group's gross profit unknown. -#}
{% macro won_deal_totals(deals) -%}
    cast(count(*) as integer) as deals_won,
        cast(sum({{ deals }}.won_revenue_cny) as numeric(18, 2)) as won_revenue_cny,
        cast(case
            when count(*) = count({{ deals }}.won_gross_profit_cny) then sum({{ deals }}.won_gross_profit_cny)
        end as numeric(18, 2)) as won_gross_profit_cny
{%- endmacro %}
