{#- "Latest load wins" (docs/raw-landing.md): of the raw rows sharing a key, keep those of the
    file with the highest load_seq. A restated export replaces exactly the keys it covers and
    never adds to the earlier file. -#}
{% macro latest_load(relation, key_columns) -%}
    select ranked.*
    from (
        select
            loaded.*,
            max(loaded.load_seq) over (partition by {{ key_columns | join(', ') }}) as latest_load_seq
        from {{ relation }} as loaded
    ) as ranked
    where ranked.load_seq = ranked.latest_load_seq
{%- endmacro %}

{#- company_id of a raw row, falling back to the configured default. -#}
{% macro company_id_or_default(expression) -%}
    coalesce(nullif(trim({{ expression }}), ''), '{{ var("default_company_id") }}')
{%- endmacro %}

{#- ISO currency code, CNY where the export states none (Chinese platforms). -#}
{% macro currency_code(expression) -%}
    upper(coalesce(nullif(trim({{ expression }}), ''), 'CNY'))
{%- endmacro %}

{#- Coarseness of an ad-spend report level (1 = coarsest). A coarser report includes spend that
    finer ones omit, so of two kinds of report of one day the coarser is the grain of record
    (docs: rule_grain_of_record). Region, hourly and feed reports split the account's whole spend
    along another axis, so they rank with campaign reports; unknown levels rank last. -#}
{% macro report_level_rank(expression) -%}
    case lower(trim({{ expression }}))
        when 'account' then 1
        when 'campaign' then 2
        when 'region' then 2
        when 'hourly' then 2
        when 'feed' then 2
        when 'ad_group' then 3
        when 'keyword' then 4
        when 'search_term' then 5
        else 6
    end
{%- endmacro %}

{#- The raw ad-spend rows (source raw.ad_spend) with `columns` cleaned and typed: the body of a
    CTE. The report ranking (stg_raw__ad_spend_reports) and the rows that count
    (stg_raw__ad_spend) clean each column the same way, so a report and its rows always agree.
    `where`, if given, filters the raw rows before any column is cleaned (a condition on raw
    columns, so DuckDB can skip the Parquet row groups it excludes). -#}
{% macro ad_spend_rows(columns, where=none) -%}
    {%- set cleaned = {
        'company_id': company_id_or_default('company_id'),
        'file_sha256': 'file_sha256',
        'source_file': 'source_file',
        'source_layout': 'source_layout',
        'source_row': 'cast(source_row as ' ~ dbt.type_bigint() ~ ')',
        'load_seq': 'cast(load_seq as ' ~ dbt.type_bigint() ~ ')',
        'spend_date': 'cast(spend_date as date)',
        'platform': 'lower(trim(platform))',
        'account': "nullif(trim(account), '')",
        'campaign': 'campaign',
        'ad_group': 'ad_group',
        'keyword': 'keyword',
        'search_term': 'search_term',
        'region': 'region',
        'spend_hour': 'cast(' ~ adapter.quote('hour') ~ ' as integer)',
        'report_level': 'report_level',
        'report_level_rank': report_level_rank('report_level'),
        'impressions': 'cast(coalesce(impressions, 0) as ' ~ dbt.type_bigint() ~ ')',
        'clicks': 'cast(coalesce(clicks, 0) as ' ~ dbt.type_bigint() ~ ')',
        'cost': 'cast(coalesce(cost, 0) as numeric(18, 2))',
        'currency': currency_code('currency'),
    } -%}
    select
        {%- for column in columns %}
        {{ cleaned[column] }} as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ source('raw', 'ad_spend') }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}

{#- Where a staged raw row came from (docs/raw-landing.md): its file's sha256, its row in the
    file and the file's load sequence number, as select columns. -#}
{% macro load_provenance() -%}
    file_sha256,
        cast(source_row as {{ dbt.type_bigint() }}) as source_row,
        cast(load_seq as {{ dbt.type_bigint() }}) as load_seq
{%- endmacro %}
