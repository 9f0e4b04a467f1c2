{#- ISO year and ISO week number of a date (Monday-Sunday weeks; week 1 holds the year's first
    Thursday). extract(isoyear/week) means exactly that on DuckDB and Postgres. -#}
{% macro iso_year(date_expression) -%}
    cast(extract(isoyear from {{ date_expression }}) as integer)
{%- endmacro %}

{% macro iso_week(date_expression) -%}
    cast(extract(week from {{ date_expression }}) as integer)
{%- endmacro %}

{#- Monday of a date's ISO week, as a date. -#}
{% macro week_start(date_expression) -%}
    cast({{ dbt.date_trunc('week', date_expression) }} as date)
{%- endmacro %}

{#- Monday of ISO week `week` of ISO year `year`: January 4th is always in week 1. The caller
    checks that the result really is that week (week 53 exists in some years only). -#}
{% macro iso_week_monday(year_expression, week_expression) -%}
    {{ add_days(week_start('make_date(' ~ year_expression ~ ', 1, 4)'), '7 * (' ~ week_expression ~ ' - 1)') }}
{%- endmacro %}
