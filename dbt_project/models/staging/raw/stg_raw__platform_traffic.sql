-- One row per company x platform x shop x stat_date (latest load wins).
-- A measure the export has no column for stays NULL (unknown), never 0: Made-in-China shows no
-- TM consultations.
with latest_rows as (

    {{ latest_load(source('raw', 'platform_traffic'), ['company_id', 'platform', 'shop', 'stat_date']) }}

),

final as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        cast(stat_date as date) as stat_date,
        lower(trim(platform)) as platform,
        shop,
        cast(exposures as {{ dbt.type_bigint() }}) as exposures,
        cast(visitors as {{ dbt.type_bigint() }}) as visitors,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(inquiries_reported as {{ dbt.type_bigint() }}) as inquiries_reported,
        cast(tm_consultations as {{ dbt.type_bigint() }}) as tm_consultations,
        file_sha256,
        cast(source_row as {{ dbt.type_bigint() }}) as source_row,
        cast(load_seq as {{ dbt.type_bigint() }}) as load_seq
    from latest_rows

)

select * from final
