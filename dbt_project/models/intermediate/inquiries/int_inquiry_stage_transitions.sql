-- One row per observed stage change of an inquiry: each register snapshot whose stage differs
-- from the inquiry's previous snapshot (the first sighting counts as a change from nothing).
-- This is the stage history derived from raw, independent of when dbt ran.
with snapshots as (

    select
        company_id,
        inquiry_id,
        snapshot_at_local,
        load_seq,
        stage,
        lag(stage) over (
            partition by company_id, inquiry_id
            order by snapshot_at_local, load_seq
        ) as previous_stage
    from {{ ref('stg_raw__inquiry_snapshots') }}

),

changes as (

    select
        company_id,
        inquiry_id,
        snapshot_at_local as observed_at_local,
        previous_stage as from_stage,
        stage as to_stage
    from snapshots
    where previous_stage is null or previous_stage <> stage

),

final as (

    select
        company_id,
        inquiry_id,
        row_number() over (
            partition by company_id, inquiry_id
            order by observed_at_local
        ) as transition_seq,
        observed_at_local,
        {{ wall_time_to_utc('observed_at_local') }} as observed_at,
        from_stage,
        to_stage
    from changes

)

select * from final
