{#- Free-text channel labels match case- and space-insensitively: lower case, without ASCII or
    full-width spaces, hyphens, underscores, dots and middle dots. Seeds and raw labels both go
    through this macro, so "Made-in-China", "made in china" and "MADEINCHINA" are one label. -#}
{% macro normalize_label(expression) -%}
    lower(
        replace(replace(replace(replace(replace(replace(trim({{ expression }}),
            ' ', ''), '　', ''), '-', ''), '_', ''), '.', ''), '·', '')
    )
{%- endmacro %}

{#- Funnel position of a canonical register stage; lost and invalid have no position. -#}
{% macro stage_rank(stage) -%}
    case {{ stage }}
        when 'new' then 0
        when 'intentional' then 1
        when 'effective' then 2
        when 'won' then 3
    end
{%- endmacro %}
