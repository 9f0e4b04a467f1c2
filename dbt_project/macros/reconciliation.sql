{#- The last two steps of a monthly reconciliation test: full-join the `imported` and `published`
    CTEs (company_id, month_start, <measure>) and return the months whose totals differ by more
    than the tolerance. A month missing on either side counts as 0 there, so it fails too. -#}
{% macro monthly_totals_mismatch(measure) -%}
compared as (

    select
        coalesce(imported.company_id, published.company_id) as company_id,
        coalesce(imported.month_start, published.month_start) as month_start,
        coalesce(imported.{{ measure }}, 0) as imported_{{ measure }},
        coalesce(published.{{ measure }}, 0) as published_{{ measure }}
    from imported
    full outer join published
        on imported.company_id = published.company_id
        and imported.month_start = published.month_start

)

select *
from compared
where abs(imported_{{ measure }} - published_{{ measure }}) > {{ var('reconciliation_tolerance_cny') }}
{%- endmacro %}
