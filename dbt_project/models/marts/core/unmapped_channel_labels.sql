-- One row per company x label source x channel label that no alias maps to: these rows count
-- under channel `unknown` (never dropped). Add an alias to seeds/channel_aliases.csv to map one.
with final as (

    select
        company_id,
        label_source,
        channel_label,
        label_key,
        occurrences,
        first_seen_date,
        last_seen_date
    from {{ ref('int_channel_labels_mapped') }}
    where not is_mapped

)

select * from final
