{#- ISO year and ISO week number of a date (Monday-Sunday weeks; week 1 holds the year's first
    Thursday). extract(week) means exactly that on DuckDB, Postgres and Spark; the ISO year's
    name differs (macros/cross_db.sql). -#}
{% macro iso_year(date_expression) -%}
    cast({{ iso_year_part(date_expression) }} as integer)
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

{#- better / worse / same for a metric whose better direction is `better_when` ('higher' or
    'lower', e.g. costs: down is good); NULL when either value is unknown. -#}
{% macro overview_judgement(current, previous, better_when) -%}
    case
        when {{ current }} is null or {{ previous }} is null then null
        when {{ current }} = {{ previous }} then 'same'
        when ({{ current }} > {{ previous }}) = ({{ better_when }} = 'higher') then 'better'
        else 'worse'
    end
{%- endmacro %}

{#- What the overview shows for a comparison: the arrow of the value's direction, the relative
    change in per cent (when the earlier value is not 0) and the judgement, Chinese first. -#}
{% macro overview_arrow_text(judgement, current, previous, change) -%}
    case
        when {{ judgement }} is null then '— 无可比 N/A'
        when {{ judgement }} = 'same' then '= 持平 same'
        else
            case when {{ current }} > {{ previous }} then '▲ ' else '▼ ' end
            || case
                when {{ change }} is null then ''
                else case when {{ change }} > 0 then '+' else '' end
                    || cast(cast(round(cast({{ change }} * 100 as numeric(18, 1)), 1) as numeric(18, 1)) as {{ dbt.type_string() }}) || '% '
            end
            || case when {{ judgement }} = 'better' then '好转 better' else '变差 worse' end
    end
{%- endmacro %}

{#- Both period flags of a day as select columns: is_last_complete_month, is_last_complete_week. -#}
{% macro reporting_period_flags(date_expression, periods='periods') -%}
    {{ is_last_complete_month(date_expression, periods) }} as is_last_complete_month,
        {{ is_last_complete_week(date_expression, periods) }} as is_last_complete_week
{%- endmacro %}

{#- The `from` of a daily channel mart's final select: `relation` (company_id, date_day,
    channel_id) with its channel (dim_channels as `channels`) and its company's reporting periods
    (int_company_reporting_periods as `periods`), only up to the company's data-through date (the
    run's business date): nothing after it is reported. -#}
{% macro reported_channel_days(relation) -%}
    from {{ relation }}
    inner join {{ ref('dim_channels') }} as channels
        on {{ relation }}.channel_id = channels.channel_id
    inner join {{ ref('int_company_reporting_periods') }} as periods
        on {{ relation }}.company_id = periods.company_id
    where {{ relation }}.date_day <= periods.data_through_date
{%- endmacro %}
