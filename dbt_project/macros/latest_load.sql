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
