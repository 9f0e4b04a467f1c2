-- One row per currency and rate date (latest load wins), with the half-open range of days
-- [valid_from, valid_until) the rate applies to: a day without its own rate uses the latest
-- earlier one. valid_until is NULL for the newest rate.
with latest_rows as (

    {{ latest_load(source('raw', 'fx_rates'), ['currency', 'rate_date']) }}

),

deduplicated as (

    select
        {{ currency_code('currency') }} as currency,
        cast(rate_date as date) as rate_date,
        cast(cny_per_unit as numeric(18, 6)) as cny_per_unit,
        row_number() over (
            partition by {{ currency_code('currency') }}, cast(rate_date as date)
            order by source_row desc
        ) as row_in_key
    from latest_rows

),

final as (

    select
        currency,
        rate_date,
        cny_per_unit,
        rate_date as valid_from,
        lead(rate_date) over (partition by currency order by rate_date) as valid_until
    from deduplicated
    where row_in_key = 1

)

select * from final
