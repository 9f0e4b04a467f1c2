{#- The join condition of two relations on the same key columns: `left.k = right.k and ...`
    for every column of `keys`. A model names its grain once (e.g. company_id, date_day,
    channel_id) and joins its per-grain CTEs on it, instead of spelling the columns out per join.
    Plain equality: a NULL key joins nothing, as in a hand-written condition. -#}
{% macro same_keys(left, right, keys) -%}
    {%- for key in keys -%}
        {{ left }}.{{ key }} = {{ right }}.{{ key }}{% if not loop.last %}
        and {% endif %}
    {%- endfor -%}
{%- endmacro %}
