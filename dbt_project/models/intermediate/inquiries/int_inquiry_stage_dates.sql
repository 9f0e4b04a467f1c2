-- One row per inquiry (company x inquiry_id): its current state and its stage dates, derived
-- deterministically from every register snapshot in raw, so a re-run, a backfill and a full
-- rebuild give the same result.
--
-- Rules:
-- * only inquiries still in the register count: one that a later import covering its received
--   date no longer lists is removed (stg_raw__inquiries_current, audit_inquiries_removed).
-- * stage reached = the furthest stage the inquiry's history shows: the current snapshot's
--   stage, every earlier snapshot's stage and every stage date the register gives (a date is
--   evidence the stage was reached). Open and lost inquiries alike keep the furthest stage any
--   snapshot showed, so an inquiry seen at 意向 that the register now shows as 新询盘 has
--   reached `intentional`. Only `won` needs the current row: an inquiry is won when its current
--   stage is 成交 or its current row gives a 成交时间; an earlier 成交 (stage or date) that the
--   register no longer shows proves `effective`, not a deal (lost and won are disjoint, and a
--   won deal that was undone is not revenue). An invalid inquiry reaches nothing beyond
--   `received`.
-- * stage date = the register's date when it gives one (the current snapshot's, else the latest
--   an earlier snapshot gave); otherwise the first snapshot_at at which the inquiry was seen at
--   or beyond that stage; a skipped stage takes the date of the later stage (成交 implies 有效
--   and 意向), and a stage is never dated after the stage that follows it.
-- * lost_at = the register's date, else the first snapshot showing `lost` after the last
--   snapshot that did not.
{%- set inquiry_grain = ['company_id', 'inquiry_id'] %}
with snapshots as (

    select
        snapshots.*,
        {{ stage_rank('snapshots.stage') }} as snapshot_rank
    from {{ ref('stg_raw__inquiry_snapshots') }} as snapshots

),

current_state as (

    select * from {{ ref('stg_raw__inquiries_current') }}
    where removed_by_load_seq is null

),

history as (

    select
        company_id,
        inquiry_id,
        count(*) as snapshots_seen,
        min(snapshot_at_local) as first_snapshot_at_local,
        max(snapshot_at_local) as last_snapshot_at_local,
        max(snapshot_rank) as max_rank_seen,
        {%- for stage, rank in [('intentional', 1), ('effective', 2), ('won', 3)] %}
        min(case when snapshot_rank >= {{ rank }} then snapshot_at_local end) as seen_{{ stage }}_at_local,
        {%- endfor %}
        max(case when stage <> 'lost' then snapshot_at_local end) as last_not_lost_at_local,
        {%- for stage in ['intentional', 'effective', 'won', 'lost'] %}
        max({{ stage }}_at_local) as register_{{ stage }}_at_local{% if not loop.last %},{% endif %}
        {%- endfor %}
    from snapshots
    group by company_id, inquiry_id

),

lost_sightings as (

    select
        snapshots.company_id,
        snapshots.inquiry_id,
        min(snapshots.snapshot_at_local) as seen_lost_at_local
    from snapshots
    inner join history
        on {{ same_keys('snapshots', 'history', inquiry_grain) }}
    where snapshots.stage = 'lost'
        and (history.last_not_lost_at_local is null
             or snapshots.snapshot_at_local > history.last_not_lost_at_local)
    group by snapshots.company_id, snapshots.inquiry_id

),

register_dates as (

    select
        current_state.*,
        history.snapshots_seen,
        history.first_snapshot_at_local,
        history.last_snapshot_at_local,
        history.max_rank_seen,
        history.seen_intentional_at_local,
        history.seen_effective_at_local,
        history.seen_won_at_local,
        lost_sightings.seen_lost_at_local,
        {%- for stage in ['intentional', 'effective', 'won', 'lost'] %}
        coalesce(current_state.{{ stage }}_at_local, history.register_{{ stage }}_at_local) as given_{{ stage }}_at_local{% if not loop.last %},{% endif %}
        {%- endfor %}
    from current_state
    inner join history
        on {{ same_keys('current_state', 'history', inquiry_grain) }}
    left join lost_sightings
        on {{ same_keys('current_state', 'lost_sightings', inquiry_grain) }}

),

reached as (

    select
        register_dates.*,
        case
            when stage = 'invalid' then 0
            when stage = 'lost' then
                case
                    when greatest(
                        coalesce(max_rank_seen, 0),
                        case
                            when given_won_at_local is not null then 3
                            when given_effective_at_local is not null then 2
                            when given_intentional_at_local is not null then 1
                            else 0
                        end
                    ) > 2 then 2
                    else greatest(
                        coalesce(max_rank_seen, 0),
                        case
                            when given_effective_at_local is not null then 2
                            when given_intentional_at_local is not null then 1
                            else 0
                        end
                    )
                end
            when stage = 'won' or won_at_local is not null then 3
            else greatest(
                coalesce({{ stage_rank('stage') }}, 0),
                case
                    when coalesce(max_rank_seen, 0) > 2 then 2
                    else coalesce(max_rank_seen, 0)
                end,
                case
                    when given_won_at_local is not null then 2
                    when given_effective_at_local is not null then 2
                    when given_intentional_at_local is not null then 1
                    else 0
                end
            )
        end as reached_rank
    from register_dates

),

won_dated as (

    select
        reached.*,
        case
            when reached_rank >= 3 then coalesce(given_won_at_local, seen_won_at_local)
        end as won_at_local_final
    from reached

),

-- an earlier stage the register leaves undated was reached by the time it was first seen, and
-- no later than the next stage
{%- for stage, rank, next_stage in [('effective', 2, 'won'), ('intentional', 1, 'effective')] %}
{{ stage }}_dated as (

    select
        {{ next_stage }}_dated.*,
        case
            when reached_rank >= {{ rank }} then coalesce(
                given_{{ stage }}_at_local,
                {{ earliest_of('seen_' ~ stage ~ '_at_local', next_stage ~ '_at_local_final') }}
            )
        end as {{ stage }}_at_local_final
    from {{ next_stage }}_dated

),
{%- endfor %}

final as (

    select
        company_id,
        inquiry_id,
        inquiry_id_as_written,
        received_at_local,
        {{ business_date('received_at_local') }} as received_date,
        channel_label,
        contact_method,
        customer_company,
        country,
        product,
        stage as current_stage,
        case reached_rank
            when 3 then 'won'
            when 2 then 'effective'
            when 1 then 'intentional'
            else 'received'
        end as stage_reached,
        reached_rank,
        stage = 'invalid' as is_invalid,
        stage = 'lost' as is_lost,
        stage <> 'invalid' and stage <> 'lost' and reached_rank = 3 as is_won,
        stage <> 'invalid' and stage <> 'lost' and reached_rank < 3 as is_open,
        case
            when stage = 'lost' then
                case reached_rank when 2 then 'effective' when 1 then 'intentional' else 'received' end
        end as lost_stage,
        case when stage = 'lost' then lost_reason end as lost_reason,
        case when stage = 'invalid' then invalid_reason end as invalid_reason,
        intentional_at_local_final as intentional_at_local,
        effective_at_local_final as effective_at_local,
        won_at_local_final as won_at_local,
        case when stage = 'lost' then coalesce(given_lost_at_local, seen_lost_at_local) end as lost_at_local,
        case
            when reached_rank >= 3 and given_won_at_local is not null then 'register'
            when reached_rank >= 3 then 'history'
        end as won_at_source,
        {%- for stage in ['intentional', 'effective', 'won'] %}
        {{ days_between('received_at_local', stage ~ '_at_local_final') }} as days_to_{{ stage }},
        {%- endfor %}
        deal_amount,
        deal_currency,
        sales_rep,
        keyword,
        landing_page,
        -- what the invalid-inquiry rules read (intermediate/validity): the register's own stage
        -- label as typed, and the contact and message of the latest listing
        stage_label,
        contact_name,
        email,
        phone,
        message,
        snapshots_seen,
        first_snapshot_at_local,
        last_snapshot_at_local
    from intentional_dated

)

select * from final
