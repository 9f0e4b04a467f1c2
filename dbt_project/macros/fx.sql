{#- Joins the CNY rate valid on a day: the rate of that day, else the latest earlier rate
    (stg_raw__fx_rates holds each rate's [valid_from, valid_until) range). -#}
{% macro fx_rate_join(fx_alias, currency_expression, date_expression) -%}
    left join {{ ref('stg_raw__fx_rates') }} as {{ fx_alias }}
        on {{ fx_alias }}.currency = {{ currency_expression }}
        and {{ date_expression }} >= {{ fx_alias }}.valid_from
        and ({{ fx_alias }}.valid_until is null or {{ date_expression }} < {{ fx_alias }}.valid_until)
{%- endmacro %}

{#- CNY per unit of a currency given the joined rate: CNY itself converts at exactly 1;
    NULL when no rate is known on or before the day (a test then fails the build). -#}
{% macro cny_per_unit(fx_alias, currency_expression) -%}
    case
        when {{ currency_expression }} = 'CNY' then cast(1 as numeric(18, 6))
        else {{ fx_alias }}.cny_per_unit
    end
{%- endmacro %}

{#- Exact decimal arithmetic: widen the first factor so products of DECIMAL(18,x) columns
    neither overflow nor fall back to floating point. -#}
{% macro exact(expression) -%}
    cast({{ expression }} as numeric(38, 10))
{%- endmacro %}

{#- The earlier of two timestamps, ignoring a NULL (portable LEAST with NULL semantics). -#}
{% macro earliest_of(first, second) -%}
    case
        when {{ first }} is null then {{ second }}
        when {{ second }} is null then {{ first }}
        when {{ first }} <= {{ second }} then {{ first }}
        else {{ second }}
    end
{%- endmacro %}
