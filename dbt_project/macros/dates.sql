{#- Business date of a naive Asia/Shanghai wall-clock timestamp. -#}
{% macro business_date(expression) -%}
    cast({{ expression }} as date)
{%- endmacro %}

{#- UTC of a naive Asia/Shanghai wall-clock timestamp. Shanghai has had a fixed +08:00 offset
    since 1991, so a fixed shift is exact and portable (no time-zone database needed). -#}
{% macro wall_time_to_utc(expression) -%}
    {%- set offset = var('business_utc_offset_hours') | int -%}
    cast({{ dbt.dateadd('hour', -offset, expression) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- A date plus a number of days, as a date on every engine. -#}
{% macro add_days(date_expression, days_expression) -%}
    cast({{ dbt.dateadd('day', days_expression, date_expression) }} as date)
{%- endmacro %}

{#- Whole days from one date (or timestamp) to another, counted on calendar dates. -#}
{% macro days_between(start_expression, end_expression) -%}
    {{ day_count(dbt.datediff('cast(' ~ start_expression ~ ' as date)', 'cast(' ~ end_expression ~ ' as date)', 'day')) }}
{%- endmacro %}

{#- First day of the month of a date, as a date. -#}
{% macro month_start(date_expression) -%}
    cast({{ dbt.date_trunc('month', date_expression) }} as date)
{%- endmacro %}

{#- True when a date falls in its company's last complete month / ISO week; `periods` is the
    alias of a joined int_company_reporting_periods (or dim_companies) row. False, never NULL,
    when the company has no complete period yet. -#}
{% macro is_last_complete_month(date_expression, periods) -%}
    coalesce({{ date_expression }} between {{ periods }}.last_complete_month_start and {{ periods }}.last_complete_month_end, false)
{%- endmacro %}

{% macro is_last_complete_week(date_expression, periods) -%}
    coalesce({{ date_expression }} between {{ periods }}.last_complete_week_start and {{ periods }}.last_complete_week_end, false)
{%- endmacro %}

{#- One row per day (`date_day`) from `first_day` to `last_day` of the one-row relation `bounds`
    (a CTE name), at most var('max_spine_days') days: the CTEs `day_numbers` and `spine`, for a
    `with` clause. int_calendar_spine (the trade calendar's years) and dim_dates (the facts'
    days) differ only in their bounds. -#}
{% macro day_spine(bounds) -%}
day_numbers as (

    select cast(generated_number as integer) as day_number
    from ({{ dbt.generate_series(var('max_spine_days')) }}) as series

),

spine as (

    select {{ add_days(bounds ~ '.first_day', 'day_numbers.day_number - 1') }} as date_day
    from {{ bounds }}
    inner join day_numbers
        on day_numbers.day_number - 1 <= {{ dbt.datediff(bounds ~ '.first_day', bounds ~ '.last_day', 'day') }}

)
{%- endmacro %}
