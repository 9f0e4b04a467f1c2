{#- Money: DECIMAL(18,2), rounded half away from zero to the cent. The inner cast keeps the
    arithmetic exact (numeric, not floating point) on every engine. -#}
{% macro money(expression) -%}
    cast(round(cast({{ expression }} as numeric(38, 10)), 2) as numeric(18, 2))
{%- endmacro %}

{#- Truncate a non-negative amount to the cent (used where rounding up could overshoot). -#}
{% macro money_floor(expression) -%}
    cast(floor(cast({{ expression }} as numeric(38, 10)) * 100) / 100 as numeric(18, 2))
{%- endmacro %}

{#- A ratio, NULL when the denominator is zero or NULL (never 0 or infinity). -#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as {{ type_double() }}) / cast({{ denominator }} as {{ type_double() }})
    end
{%- endmacro %}

{#- Count of rows where a boolean expression holds (portable: no boolean sum). -#}
{% macro count_if(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}

{#- Double-precision floating point for ratios (dbt.type_float() is 4-byte FLOAT on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'xunpan')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}
