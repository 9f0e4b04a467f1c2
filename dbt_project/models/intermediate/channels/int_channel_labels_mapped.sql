-- One row per company x label source x label as written: every free-text channel label seen in
-- the inquiry register or the contracts, and every ad-spend platform, with the canonical
-- channel it maps to (`unknown` when nothing matches) and how often it occurs.
with register_labels as (

    select
        company_id,
        'inquiry_register' as label_source,
        channel_label,
        count(distinct inquiry_id) as occurrences,
        min(cast(snapshot_at_local as date)) as first_seen_date,
        max(cast(snapshot_at_local as date)) as last_seen_date
    from {{ ref('stg_raw__inquiry_snapshots') }}
    group by company_id, channel_label

),

contract_labels as (

    select
        company_id,
        'channel_contract' as label_source,
        channel_label,
        count(*) as occurrences,
        min(contract_start) as first_seen_date,
        max(contract_start) as last_seen_date
    from {{ ref('stg_raw__channel_contracts') }}
    group by company_id, channel_label

),

platform_labels as (

    select
        company_id,
        'ad_platform' as label_source,
        platform as channel_label,
        count(*) as occurrences,
        min(spend_date) as first_seen_date,
        max(spend_date) as last_seen_date
    from {{ ref('stg_raw__ad_spend') }}
    group by company_id, platform

),

free_text_labels as (

    select * from register_labels
    union all
    select * from contract_labels

),

mapped_free_text as (

    select
        free_text_labels.*,
        {{ normalize_label('free_text_labels.channel_label') }} as label_key,
        alias_keys.channel_id as mapped_channel_id
    from free_text_labels
    left join {{ ref('int_channel_alias_keys') }} as alias_keys
        on {{ normalize_label('free_text_labels.channel_label') }} = alias_keys.label_key

),

mapped_platforms as (

    select
        platform_labels.*,
        platform_labels.channel_label as label_key,
        platforms.channel_id as mapped_channel_id
    from platform_labels
    left join {{ ref('ad_platform_channels') }} as platforms
        on platform_labels.channel_label = platforms.platform

),

unioned as (

    select * from mapped_free_text
    union all
    select * from mapped_platforms

),

final as (

    select
        company_id,
        label_source,
        channel_label,
        label_key,
        coalesce(mapped_channel_id, 'unknown') as channel_id,
        mapped_channel_id is not null as is_mapped,
        occurrences,
        first_seen_date,
        last_seen_date
    from unioned

)

select * from final
