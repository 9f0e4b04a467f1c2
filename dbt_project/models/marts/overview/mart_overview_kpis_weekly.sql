-- One row per company x complete ISO week x headline metric: the overview's figures in long form,
-- this week against the week before and against the same ISO week last year, with the direction
-- that is better (counts and rates: up; spend and costs: down) and the arrow text the dashboard
-- shows. Values are those of mart_overview_weekly (exact to 6 decimals); a change is NULL when
-- either week is unknown or the earlier value is 0 (no -100 % or infinite changes).
{%- set metrics = [
    ('funnel', 1, 'inquiries_total', '总询盘 Total inquiries', 'higher'),
    ('funnel', 2, 'inquiries_valid', '合格询盘 Valid inquiries', 'higher'),
    ('funnel', 3, 'inquiries_intentional', '意向询盘 Intentional', 'higher'),
    ('funnel', 4, 'inquiries_effective', '有效询盘 Effective', 'higher'),
    ('funnel', 5, 'inquiries_won', '成交询盘 Won', 'higher'),
    ('rates', 6, 'intentional_rate', '意向率 Intentional rate', 'higher'),
    ('rates', 7, 'effective_rate', '有效率 Effective rate', 'higher'),
    ('rates', 8, 'win_rate', '成交率 Win rate', 'higher'),
    ('costs', 9, 'spend_total_cny', '总花费 Spend (CNY)', 'lower'),
    ('costs', 10, 'cost_per_inquiry_cny', '每合格询盘成本 Cost per valid inquiry (CNY)', 'lower'),
    ('costs', 11, 'cost_per_won_cny', '每成交成本 Cost per won (CNY)', 'lower'),
] %}
with weekly as (

    select * from {{ ref('mart_overview_weekly') }}

),

unpivoted as (

    {%- for group, order, column, name, better in metrics %}
    select
        company_id,
        week_start,
        week_end,
        iso_year,
        iso_week,
        is_last_complete_week,
        is_from_last_complete_month,
        like_for_like_note,
        '{{ group }}' as metric_group,
        {{ order }} as metric_order,
        '{{ column }}' as metric_key,
        '{{ name }}' as metric_name,
        '{{ better }}' as better_when,
        cast({{ column }} as numeric(20, 6)) as value_this_week,
        cast(last_week_{{ column }} as numeric(20, 6)) as value_last_week,
        cast(last_year_{{ column }} as numeric(20, 6)) as value_last_year
    from weekly
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

changes as (

    select
        unpivoted.*,
        {{ safe_divide('value_this_week - value_last_week', 'value_last_week') }} as change_vs_last_week,
        {{ safe_divide('value_this_week - value_last_year', 'value_last_year') }} as change_vs_last_year
    from unpivoted

),

judged as (

    select
        changes.*,
        {{ overview_judgement('value_this_week', 'value_last_week', 'better_when') }} as judgement_vs_last_week,
        {{ overview_judgement('value_this_week', 'value_last_year', 'better_when') }} as judgement_vs_last_year
    from changes

),

final as (

    select
        judged.*,
        {{ overview_arrow_text('judgement_vs_last_week', 'value_this_week', 'value_last_week', 'change_vs_last_week') }} as vs_last_week_text,
        {{ overview_arrow_text('judgement_vs_last_year', 'value_this_week', 'value_last_year', 'change_vs_last_year') }} as vs_last_year_text
    from judged

)

select * from final
