-- Fails for every company and month where the variable spend in mart_channel_cost_per_inquiry
-- differs from the imported ad-spend rows that count (latest load wins), converted to CNY at the
-- day's rate, by more than var('reconciliation_tolerance_cny'). Reads the staging view, i.e. the
-- raw files as they are now: a mart that is stale or double counts fails. Spend dated after the
-- company's data-through date (possible only when a run caps it with var('business_date')) is
-- not reported, so it is not expected in the mart either.
with imported as (

    select
        spend.company_id,
        {{ month_start('spend.spend_date') }} as month_start,
        sum({{ money(exact('spend.cost') ~ ' * ' ~ cny_per_unit('fx', 'spend.currency')) }}) as spend_cny
    from {{ ref('stg_raw__ad_spend') }} as spend
    inner join {{ ref('dim_companies') }} as companies
        on spend.company_id = companies.company_id
        and spend.spend_date <= companies.data_through_date
    {{ fx_rate_join('fx', 'spend.currency', 'spend.spend_date') }}
    group by spend.company_id, {{ month_start('spend.spend_date') }}

),

published as (

    select
        company_id,
        {{ month_start('date_day') }} as month_start,
        sum(spend_variable_cny) as spend_cny
    from {{ ref('mart_channel_cost_per_inquiry') }}
    group by company_id, {{ month_start('date_day') }}

),

{{ monthly_totals_mismatch('spend_cny') }}
