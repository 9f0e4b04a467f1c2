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
        {%- for measure in ['exposures', 'visitors', 'clicks', 'inquiries_reported', 'tm_consultations'] %}
        cast({{ measure }} as {{ dbt.type_bigint() }}) as {{ measure }},
        {%- endfor %}
        {{ load_provenance() }}
    from latest_rows

)

select * from final
