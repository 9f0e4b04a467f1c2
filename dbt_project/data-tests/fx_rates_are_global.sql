-- FX rates are global (docs/raw-landing.md): one rate per currency and day for every company.
-- Fails for every currency and day where the latest rate files of two companies disagree, since
-- staging keeps a single rate per currency and day whichever company's file carried it.
with latest_per_company as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        {{ currency_code('currency') }} as currency,
        cast(rate_date as date) as rate_date,
        cast(cny_per_unit as numeric(18, 6)) as cny_per_unit,
        load_seq,
        max(load_seq) over (
            partition by {{ company_id_or_default('company_id') }}, {{ currency_code('currency') }}, cast(rate_date as date)
        ) as latest_load_seq
    from {{ source('raw', 'fx_rates') }}

)

select
    currency,
    rate_date,
    count(distinct company_id) as companies,
    min(cny_per_unit) as lowest_cny_per_unit,
    max(cny_per_unit) as highest_cny_per_unit
from latest_per_company
where load_seq = latest_load_seq
group by currency, rate_date
having count(distinct cny_per_unit) > 1 and count(distinct company_id) > 1
