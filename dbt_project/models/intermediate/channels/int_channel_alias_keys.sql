-- One row per normalised channel label key: the canonical channel it maps to. Alias rows win
-- over canonical ids and names; all keys go through normalize_label.
with candidates as (

    select {{ normalize_label('alias') }} as label_key, channel_id, 1 as priority
    from {{ ref('channel_aliases') }}

    union all

    select {{ normalize_label('channel_id') }} as label_key, channel_id, 2 as priority
    from {{ ref('channels') }}

    union all

    select {{ normalize_label('channel_name_zh') }} as label_key, channel_id, 3 as priority
    from {{ ref('channels') }}

    union all

    select {{ normalize_label('channel_name_en') }} as label_key, channel_id, 3 as priority
    from {{ ref('channels') }}

),

best_priority as (

    select label_key, min(priority) as priority
    from candidates
    group by label_key

),

final as (

    select distinct
        candidates.label_key,
        candidates.channel_id
    from candidates
    inner join best_priority
        on candidates.label_key = best_priority.label_key
        and candidates.priority = best_priority.priority

)

select * from final
