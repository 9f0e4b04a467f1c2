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
        {%- for measure in ['sessions', 'visitors', 'pageviews', 'conversions'] %}
        cast({{ measure }} as {{ dbt.type_bigint() }}) as {{ measure }},
        {%- endfor %}
        {{ load_provenance() }}
    from latest_rows

)

select * from final
