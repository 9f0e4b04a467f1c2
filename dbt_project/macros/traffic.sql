{#- The platform day of an Asia/Shanghai wall-clock timestamp, per platform: the calendar date
    in that platform's reporting time zone. Alibaba.com's 数据管家 counts US Pacific days, so an
    inquiry at 10:00 Beijing belongs to the previous platform day. `platform_expression` is a SQL
    expression holding the platform / channel id. `AT TIME ZONE` twice (wall time -> instant ->
    wall time elsewhere) means the same on DuckDB and Postgres and follows daylight saving. -#}
{% macro platform_day(wall_time_expression, platform_expression) -%}
    {%- set zones = var('platform_reporting_timezones', {}) -%}
    {#- register times are Asia/Shanghai wall time (docs/raw-landing.md) -#}
    {%- set business_zone = 'Asia/Shanghai' -%}
    case
    {%- for platform, zone in zones.items() if zone != business_zone %}
        when {{ platform_expression }} = '{{ platform }}'
            then cast({{ convert_wall_time('cast(' ~ wall_time_expression ~ ' as ' ~ dbt.type_timestamp() ~ ')', business_zone, zone) }} as date)
    {%- endfor %}
        else cast({{ wall_time_expression }} as date)
    end
{%- endmacro %}

{#- Extra days a platform day needs before the register can be complete for it: a platform whose
    days end later than Beijing's (US Pacific) finishes its day on the next Beijing date. -#}
{% macro platform_day_settle_days(platform_expression) -%}
    {%- set zones = var('platform_reporting_timezones', {}) -%}
    {#- register times are Asia/Shanghai wall time (docs/raw-landing.md) -#}
    {%- set business_zone = 'Asia/Shanghai' -%}
    case
    {%- for platform, zone in zones.items() if zone != business_zone %}
        when {{ platform_expression }} = '{{ platform }}' then 1
    {%- endfor %}
        else 0
    end
{%- endmacro %}

{#- The time zone name of a platform as a SQL literal expression (for documentation columns). -#}
{% macro platform_timezone_name(platform_expression) -%}
    {%- set zones = var('platform_reporting_timezones', {}) -%}
    case
    {%- for platform, zone in zones.items() %}
        when {{ platform_expression }} = '{{ platform }}' then '{{ zone }}'
    {%- endfor %}
        else 'Asia/Shanghai'
    end
{%- endmacro %}
