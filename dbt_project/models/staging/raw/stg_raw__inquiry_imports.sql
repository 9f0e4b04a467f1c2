-- One row per import of the inquiry register (one raw file): when it was exported and which
-- received dates it covers. An import is the truth for the received dates it covers: an
-- inquiry received in that span that a later import no longer lists is removed
-- (stg_raw__inquiries_current, audit_inquiries_removed). The span is the period the file's
-- title or name states (covers_from / covers_to, set by the importer: the stated period, else the
-- first to last received date listed); files landed before the importer wrote those columns
-- cover the first to last received date they list. The stated period is not widened: a weekly
-- sheet that carries forward an open inquiry of an earlier week lists (and updates) it but
-- removes nothing from that week. A weekly sheet therefore never covers another week.
with source_rows as (

    select * from {{ source('raw', 'inquiries') }}

),

imports as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        file_sha256,
        max(source_file) as source_file,
        cast(max(load_seq) as {{ dbt.type_bigint() }}) as load_seq,
        cast(max(snapshot_at) as {{ dbt.type_timestamp() }}) as snapshot_at_local,
        cast(count(*) as {{ dbt.type_bigint() }}) as rows_listed,
        min({{ business_date('cast(received_at as ' ~ dbt.type_timestamp() ~ ')') }}) as received_from,
        max({{ business_date('cast(received_at as ' ~ dbt.type_timestamp() ~ ')') }}) as received_to,
        min(cast(covers_from as date)) as stated_covers_from,
        max(cast(covers_to as date)) as stated_covers_to
    from source_rows
    group by {{ company_id_or_default('company_id') }}, file_sha256

),

final as (

    select
        company_id,
        file_sha256,
        source_file,
        load_seq,
        snapshot_at_local,
        rows_listed,
        received_from,
        received_to,
        stated_covers_from,
        stated_covers_to,
        case
            when stated_covers_from is not null and stated_covers_to is not null then stated_covers_from
            else received_from
        end as covers_from,
        case
            when stated_covers_from is not null and stated_covers_to is not null then stated_covers_to
            else received_to
        end as covers_to
    from imports

)

select * from final
