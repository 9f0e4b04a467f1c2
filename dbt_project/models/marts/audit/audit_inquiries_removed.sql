-- One row per inquiry that the register no longer lists: an earlier import listed it and a later
-- import covering its received date does not (coverage rule in stg_raw__inquiries_current and
-- docs/raw-landing.md). These inquiries are not counted anywhere (fct_inquiries and the funnel
-- leave them out); this model keeps them for the audit: the inquiry as last listed, the last
-- import that had it and the import that dropped it. An inquiry listed again by a later import
-- is counted again and leaves this model.
with removed as (

    select * from {{ ref('stg_raw__inquiries_current') }}
    where removed_by_load_seq is not null

),

final as (

    select
        company_id,
        inquiry_id,
        inquiry_id_as_written,
        {{ wall_time_to_utc('received_at_local') }} as received_at,
        {{ business_date('received_at_local') }} as received_date,
        channel_label,
        customer_company,
        product,
        stage as last_stage,
        sales_rep,
        file_sha256 as last_listed_file_sha256,
        source_file as last_listed_source_file,
        load_seq as last_listed_load_seq,
        {{ wall_time_to_utc('snapshot_at_local') }} as last_listed_snapshot_at,
        source_row as last_listed_source_row,
        removed_by_file_sha256,
        removed_by_source_file,
        removed_by_load_seq,
        {{ wall_time_to_utc('removed_by_snapshot_at_local') }} as removed_by_snapshot_at
    from removed

)

select * from final
