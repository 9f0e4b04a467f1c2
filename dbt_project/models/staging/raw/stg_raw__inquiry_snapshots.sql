-- One row per inquiry per register import (snapshot). Every import is the truth for the received
-- dates it covers (stg_raw__inquiry_imports) and all of them are kept: the stage history is
-- derived from them. `inquiry_id` is the normalised key (macro inquiry_key: XP-3 = XP-003), the
-- id as typed is `inquiry_id_as_written`. When the same snapshot time was imported twice, the
-- later load wins. Times are naive Asia/Shanghai wall time.
{#- Incremental by company and snapshot time, unlike the other staging views: every register import
    is kept, so this grows by a whole register per import (a daily export of 5,000 inquiries is
    1.8 million rows a year), and four models read it. A snapshot's rows depend only on the files
    of the same company and snapshot time (the later load wins), so a run stages just the
    snapshot times that a file loaded since this table's newest row has rows for, and keeps the
    others as staged. `dbt build --full-refresh` restages everything (after raw files were
    removed by hand, or a change of the seed register_stage_labels). Spark: a table. -#}
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key=['company_id', 'snapshot_at_local'],
        on_schema_change='append_new_columns',
    )
}}
{%- set incremental = incremental_with_columns(['built_by_invocation_id']) %}
with source_rows as (

    select * from {{ source('raw', 'inquiries') }}
    {%- if incremental %}
    -- the raw rows of snapshot times with a newly loaded file (exact keys: snapshot_rows below)
    where {{ in_newly_loaded('snapshot_at', source('raw', 'inquiries')) }}
    {%- endif %}

),

normalised as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        {{ inquiry_key('inquiry_id') }} as inquiry_id,
        trim(inquiry_id) as inquiry_id_as_written,
        cast(snapshot_at as {{ dbt.type_timestamp() }}) as snapshot_at_local,
        cast(received_at as {{ dbt.type_timestamp() }}) as received_at_local,
        trim(channel_label) as channel_label,
        contact_method,
        customer_company,
        contact_name,
        country,
        trim(product) as product,
        coalesce(
            case lower(trim(stage))
                when 'new' then 'new'
                when 'intentional' then 'intentional'
                when 'effective' then 'effective'
                when 'won' then 'won'
                when 'lost' then 'lost'
                when 'invalid' then 'invalid'
            end,
            -- every label the importer knows (seed register_stage_labels, written from
            -- xunpan.sources.register_labels), for rows landed without a canonical stage
            stage_labels.canonical_stage
        ) as stage,
        stage_label,
        cast(intentional_at as {{ dbt.type_timestamp() }}) as intentional_at_local,
        cast(effective_at as {{ dbt.type_timestamp() }}) as effective_at_local,
        cast(won_at as {{ dbt.type_timestamp() }}) as won_at_local,
        cast(lost_at as {{ dbt.type_timestamp() }}) as lost_at_local,
        lost_reason,
        invalid_reason,
        cast(deal_amount as numeric(18, 2)) as deal_amount,
        case when deal_amount is null then null else {{ currency_code('currency') }} end as deal_currency,
        sales_rep,
        keyword,
        landing_page,
        -- contact details and message for the invalid-inquiry rules (intermediate/validity);
        -- NULL in registers without those columns and in files landed before they existed
        nullif(trim(email), '') as email,
        nullif(trim(phone), '') as phone,
        nullif(trim(message), '') as message,
        file_sha256,
        source_file,
        cast(source_row as {{ dbt.type_bigint() }}) as source_row,
        cast(load_seq as {{ dbt.type_bigint() }}) as load_seq
    from source_rows
    left join {{ ref('register_stage_labels') }} as stage_labels
        on lower(trim(source_rows.stage_label)) = stage_labels.label_key

),

-- an incremental run stages only the snapshot times a file loaded since has rows for (the later
-- load wins, so the newest file always has rows in this table)
snapshot_rows as (

    {{ rows_to_restage('normalised', ['company_id', 'snapshot_at_local'], incremental) }}

),

ranked as (

    select
        snapshot_rows.*,
        row_number() over (
            partition by company_id, inquiry_id, snapshot_at_local
            order by load_seq desc, source_row desc
        ) as row_in_snapshot
    from snapshot_rows

),

final as (

    select
        company_id,
        inquiry_id,
        inquiry_id_as_written,
        snapshot_at_local,
        received_at_local,
        channel_label,
        contact_method,
        customer_company,
        contact_name,
        country,
        product,
        stage,
        stage_label,
        intentional_at_local,
        effective_at_local,
        won_at_local,
        lost_at_local,
        lost_reason,
        invalid_reason,
        deal_amount,
        deal_currency,
        sales_rep,
        keyword,
        landing_page,
        email,
        phone,
        message,
        file_sha256,
        source_file,
        source_row,
        load_seq,
        -- which dbt invocation staged the snapshot (an incremental run keeps the others as staged)
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as built_by_invocation_id
    from ranked
    where row_in_snapshot = 1

)

select * from final
