{#- The last two steps of a reconciliation test: full-join two CTEs, `left` and `right` (by
    default `imported` and `published`), that hold `keys` and a total `measure`, and return the
    keys whose totals differ by more than the tolerance, as <left>_<measure> and
    <right>_<measure>. A key missing on either side counts as 0 there, so it fails too. -#}
{% macro totals_mismatch(measure, keys, left='imported', right='published') -%}
compared as (

    select
        {%- for key in keys %}
        coalesce({{ left }}.{{ key }}, {{ right }}.{{ key }}) as {{ key }},
        {%- endfor %}
        coalesce({{ left }}.{{ measure }}, 0) as {{ left }}_{{ measure }},
        coalesce({{ right }}.{{ measure }}, 0) as {{ right }}_{{ measure }}
    from {{ left }}
    full outer join {{ right }}
        on {{ same_keys(left, right, keys) }}

)

select *
from compared
where abs({{ left }}_{{ measure }} - {{ right }}_{{ measure }}) > {{ var('reconciliation_tolerance_cny') }}
{%- endmacro %}

{#- The same per company and month (month_start). -#}
{% macro monthly_totals_mismatch(measure, left='imported', right='published') -%}
    {{ totals_mismatch(measure, ['company_id', 'month_start'], left, right) }}
{%- endmacro %}
