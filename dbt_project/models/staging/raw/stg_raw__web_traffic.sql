-- One row per web-analytics report row of the latest file per company x tool x visit_date.
-- A measure the export has no column for stays NULL (unknown), never 0: an export may omit
-- conversions or page views.
with latest_rows as (

    {{ latest_load(source('raw', 'web_traffic'), ['company_id', 'tool', 'visit_date']) }}

),

final as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        cast(visit_date as date) as visit_date,
        lower(trim(tool)) as tool,
        source,
        medium,
        keyword,
        landing_page,
        cast(sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(visitors as {{ dbt.type_bigint() }}) as visitors,
        cast(pageviews as {{ dbt.type_bigint() }}) as pageviews,
        cast(conversions as {{ dbt.type_bigint() }}) as conversions,
        file_sha256,
        cast(source_row as {{ dbt.type_bigint() }}) as source_row,
        cast(load_seq as {{ dbt.type_bigint() }}) as load_seq
    from latest_rows

)

select * from final
