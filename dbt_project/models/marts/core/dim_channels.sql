-- One row per canonical channel (seed `channels`).
with final as (

    select
        channel_id,
        channel_name_zh,
        channel_name_en,
        channel_group,
        is_paid
    from {{ ref('channels') }}

)

select * from final
