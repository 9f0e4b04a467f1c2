-- One row per inquiry: its state in the latest register snapshot (then the latest load).
with ranked as (

    select
        snapshots.*,
        row_number() over (
            partition by company_id, inquiry_id
            order by snapshot_at_local desc, load_seq desc
        ) as recency
    from {{ ref('stg_raw__inquiry_snapshots') }} as snapshots

),

final as (

    select * from ranked where recency = 1

)

select * from final
