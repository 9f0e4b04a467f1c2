-- One row per ad-spend report that is NOT the grain of record of its company, platform, scope and
-- day, next to the report that is: both totals (original currency) and the difference. Only
-- scope-days with reports of two or more kinds (levels or account coverage) are listed; an older
-- export of the same kind replaced by a restatement is not a disagreement between kinds.
with reports as (

    select * from {{ ref('stg_raw__ad_spend_reports') }}

),

records as (

    select * from reports where report_rank = 1

),

latest_of_other_kinds as (

    -- of the losing reports, the latest of each kind
    select
        reports.*,
        row_number() over (
            partition by reports.company_id, reports.platform, reports.scope_account, reports.spend_date,
                reports.report_level, reports.covers_platform
            order by reports.load_seq desc, reports.file_sha256
        ) as kind_recency
    from reports
    inner join records
        on {{ same_keys('reports', 'records', ['company_id', 'platform', 'scope_account', 'spend_date']) }}
    where reports.report_rank > 1
        and (reports.report_level <> records.report_level or reports.covers_platform <> records.covers_platform)

),

final as (

    select
        records.company_id,
        records.platform,
        coalesce(platforms.channel_id, 'unknown') as channel_id,
        nullif(records.scope_account, '') as account,
        records.scope_account = '' as is_platform_wide,
        records.spend_date,
        records.report_level as record_report_level,
        records.source_file as record_source_file,
        records.load_seq as record_load_seq,
        records.cost as record_cost,
        other.report_level as other_report_level,
        other.covers_platform = 1 as other_covers_platform,
        other.source_file as other_source_file,
        other.load_seq as other_load_seq,
        other.cost as other_cost,
        records.currency,
        cast(other.cost - records.cost as numeric(18, 2)) as cost_difference,
        other.cost <> records.cost as is_disagreement
    from records
    inner join latest_of_other_kinds as other
        on records.company_id = other.company_id
        and records.platform = other.platform
        and records.scope_account = other.scope_account
        and records.spend_date = other.spend_date
        and other.kind_recency = 1
    left join {{ ref('ad_platform_channels') }} as platforms
        on records.platform = platforms.platform

)

select * from final
