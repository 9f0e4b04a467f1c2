-- Fails for every funnel row that breaks won <= effective <= intentional <= valid <= total,
-- valid = total - invalid, or won + lost + open = valid (daily mart and monthly rollups), and
-- when the funnel does not count every inquiry of fct_inquiries exactly once.
with checked as (

    {%- for model in ['mart_inquiry_funnel', 'mart_inquiry_funnel_monthly'] %}
    select
        '{{ model }}' as model_name,
        inquiries_total, inquiries_invalid, inquiries_valid, inquiries_intentional,
        inquiries_effective, inquiries_won, inquiries_lost, inquiries_open
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

violations as (

    select
        model_name,
        cast(inquiries_total as {{ dbt.type_bigint() }}) as inquiries_total,
        cast(inquiries_valid as {{ dbt.type_bigint() }}) as inquiries_valid,
        cast(inquiries_won as {{ dbt.type_bigint() }}) as inquiries_won
    from checked
    where not (
        inquiries_won <= inquiries_effective
        and inquiries_effective <= inquiries_intentional
        and inquiries_intentional <= inquiries_valid
        and inquiries_valid <= inquiries_total
        and inquiries_valid = inquiries_total - inquiries_invalid
        and inquiries_won + inquiries_lost + inquiries_open = inquiries_valid
        and inquiries_won >= 0 and inquiries_invalid >= 0
    )

),

coverage as (

    select
        'fct_inquiries vs mart_inquiry_funnel' as model_name,
        cast((select count(*) from {{ ref('fct_inquiries') }}) as {{ dbt.type_bigint() }}) as inquiries_total,
        cast((select sum(inquiries_total) from {{ ref('mart_inquiry_funnel') }}) as {{ dbt.type_bigint() }}) as inquiries_valid,
        cast(null as {{ dbt.type_bigint() }}) as inquiries_won

)

select * from violations
union all
select * from coverage
where inquiries_total <> coalesce(inquiries_valid, 0)
