-- One row per inquiry (company x normalised inquiry_id): its state in the latest import that
-- lists it (latest snapshot_at, then load_seq), and whether it has been removed since.
--
-- Coverage rule (docs/raw-landing.md, "inquiries"): each import is the truth for the received
-- dates it covers (stg_raw__inquiry_imports). An inquiry is removed when an import later than
-- the last one listing it covers the received date that listing gave, and does not list it
-- (a later import cannot list it: the last listing is the latest by definition). The removed_by_*
-- columns name the first such import; they are NULL for an inquiry still in the register.
-- A sheet for another week or month covers other dates and removes nothing here. Removed
-- inquiries stay in this model for the audit (audit_inquiries_removed); int_inquiry_stage_dates
-- and everything published from it count only the ones not removed.
with ranked as (

    select
        snapshots.*,
        row_number() over (
            partition by company_id, inquiry_id
            order by snapshot_at_local desc, load_seq desc
        ) as recency
    from {{ ref('stg_raw__inquiry_snapshots') }} as snapshots

),

last_listing as (

    select * from ranked where recency = 1

),

later_covering_imports as (

    select
        last_listing.company_id,
        last_listing.inquiry_id,
        imports.file_sha256,
        imports.source_file,
        imports.load_seq,
        imports.snapshot_at_local,
        row_number() over (
            partition by last_listing.company_id, last_listing.inquiry_id
            order by imports.snapshot_at_local, imports.load_seq
        ) as nth_later
    from last_listing
    inner join {{ ref('stg_raw__inquiry_imports') }} as imports
        on last_listing.company_id = imports.company_id
        and (
            imports.snapshot_at_local > last_listing.snapshot_at_local
            or (imports.snapshot_at_local = last_listing.snapshot_at_local
                and imports.load_seq > last_listing.load_seq)
        )
        and {{ business_date('last_listing.received_at_local') }} between imports.covers_from and imports.covers_to

),

final as (

    select
        last_listing.company_id,
        last_listing.inquiry_id,
        last_listing.inquiry_id_as_written,
        last_listing.snapshot_at_local,
        last_listing.received_at_local,
        last_listing.channel_label,
        last_listing.contact_method,
        last_listing.customer_company,
        last_listing.contact_name,
        last_listing.country,
        last_listing.product,
        last_listing.stage,
        last_listing.stage_label,
        last_listing.intentional_at_local,
        last_listing.effective_at_local,
        last_listing.won_at_local,
        last_listing.lost_at_local,
        last_listing.lost_reason,
        last_listing.invalid_reason,
        last_listing.deal_amount,
        last_listing.deal_currency,
        last_listing.sales_rep,
        last_listing.keyword,
        last_listing.landing_page,
        last_listing.email,
        last_listing.phone,
        last_listing.message,
        last_listing.file_sha256,
        last_listing.source_file,
        last_listing.source_row,
        last_listing.load_seq,
        removals.file_sha256 as removed_by_file_sha256,
        removals.source_file as removed_by_source_file,
        removals.load_seq as removed_by_load_seq,
        removals.snapshot_at_local as removed_by_snapshot_at_local
    from last_listing
    left join later_covering_imports as removals
        on last_listing.company_id = removals.company_id
        and last_listing.inquiry_id = removals.inquiry_id
        and removals.nth_later = 1

)

select * from final
