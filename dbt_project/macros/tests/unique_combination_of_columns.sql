{#- Composite primary key: no two rows share the same values of these columns. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select {{ columns_csv }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}

{#- Every column of a composite key is filled. -#}
{% test not_null_combination(model, combination_of_columns) %}
    select *
    from {{ model }}
    where
    {%- for column in combination_of_columns %}
        {{ column }} is null {% if not loop.last %} or {% endif %}
    {%- endfor %}
{% endtest %}

{#- A boolean SQL expression holds for every row. -#}
{% test expression_is_true(model, expression, column_name=None) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
