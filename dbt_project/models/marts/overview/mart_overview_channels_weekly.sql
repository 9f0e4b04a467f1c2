-- One row per company x complete ISO week x channel with a valid inquiry or spend that week: valid
-- inquiries, spend and cost per valid inquiry, the week before's figures, and the channel's rank
-- by valid inquiries (1 = most) and by cost per valid inquiry (1 = cheapest, among channels with
-- both spend and valid inquiries; NULL otherwise: a free channel has no cost to rank).
with daily as (

    select * from {{ ref('mart_channel_cost_per_inquiry') }}

),

weeks as (

    select company_id, week_start, week_end, is_last_complete_week, is_from_last_complete_month
    from {{ ref('mart_overview_weekly') }}

),

channel_weeks as (

    select
        daily.company_id,
        {{ week_start('daily.date_day') }} as week_start,
        daily.channel_id,
        cast(sum(daily.inquiries_valid) as integer) as inquiries_valid,
        cast(sum(daily.spend_total_cny) as numeric(18, 2)) as spend_total_cny
    from daily
    group by daily.company_id, {{ week_start('daily.date_day') }}, daily.channel_id

),

measured as (

    select
        channel_weeks.*,
        {{ safe_divide('spend_total_cny', 'inquiries_valid') }} as cost_per_inquiry_cny
    from channel_weeks
    where inquiries_valid > 0 or spend_total_cny > 0

),

ranked as (

    select
        measured.*,
        cast(row_number() over (
            partition by measured.company_id, measured.week_start
            order by measured.inquiries_valid desc, measured.channel_id
        ) as integer) as rank_by_valid_inquiries,
        case
            when measured.cost_per_inquiry_cny is not null and measured.spend_total_cny > 0
                then cast(row_number() over (
                    partition by measured.company_id, measured.week_start,
                        measured.cost_per_inquiry_cny is not null and measured.spend_total_cny > 0
                    order by measured.cost_per_inquiry_cny, measured.channel_id
                ) as integer)
        end as rank_by_cost_per_inquiry
    from measured

),

final as (

    select
        ranked.company_id,
        ranked.week_start,
        weeks.week_end,
        weeks.is_last_complete_week,
        weeks.is_from_last_complete_month,
        ranked.channel_id,
        channels.channel_name_zh || ' ' || channels.channel_name_en as channel_name,
        channels.channel_group,
        ranked.inquiries_valid,
        ranked.spend_total_cny,
        ranked.cost_per_inquiry_cny,
        ranked.rank_by_valid_inquiries,
        ranked.rank_by_cost_per_inquiry,
        coalesce(last_week.inquiries_valid, 0) as last_week_inquiries_valid,
        last_week.cost_per_inquiry_cny as last_week_cost_per_inquiry_cny,
        {{ overview_arrow_text(
            overview_judgement('cast(ranked.inquiries_valid as numeric(18, 2))', 'cast(coalesce(last_week.inquiries_valid, 0) as numeric(18, 2))', "'higher'"),
            'ranked.inquiries_valid', 'coalesce(last_week.inquiries_valid, 0)',
            safe_divide('ranked.inquiries_valid - coalesce(last_week.inquiries_valid, 0)', 'coalesce(last_week.inquiries_valid, 0)')) }} as valid_vs_last_week_text,
        {{ overview_arrow_text(
            overview_judgement('ranked.cost_per_inquiry_cny', 'last_week.cost_per_inquiry_cny', "'lower'"),
            'ranked.cost_per_inquiry_cny', 'last_week.cost_per_inquiry_cny',
            safe_divide('ranked.cost_per_inquiry_cny - last_week.cost_per_inquiry_cny', 'last_week.cost_per_inquiry_cny')) }} as cost_vs_last_week_text
    from ranked
    -- complete weeks only, as in mart_overview_weekly
    inner join weeks
        on ranked.company_id = weeks.company_id
        and ranked.week_start = weeks.week_start
    inner join {{ ref('dim_channels') }} as channels
        on ranked.channel_id = channels.channel_id
    left join measured as last_week
        on ranked.company_id = last_week.company_id
        and ranked.channel_id = last_week.channel_id
        and last_week.week_start = {{ add_days('ranked.week_start', '-7') }}

)

select * from final
