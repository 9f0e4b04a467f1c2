-- One row per ad-spend report row that counts: the rows of the one report per company, platform,
-- scope and day that is the grain of record (stg_raw__ad_spend_reports, report_rank = 1). Two
-- kinds of report of one day (campaign and keyword, with or without an account) are never summed.
with winning_reports as (

    select company_id, platform, scope_account, spend_date, file_sha256
    from {{ ref('stg_raw__ad_spend_reports') }}
    where report_rank = 1

),

raw_rows as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        file_sha256,
        source_file,
        source_layout,
        cast(source_row as {{ dbt.type_bigint() }}) as source_row,
        cast(load_seq as {{ dbt.type_bigint() }}) as load_seq,
        cast(spend_date as date) as spend_date,
        lower(trim(platform)) as platform,
        nullif(trim(account), '') as account,
        campaign,
        ad_group,
        keyword,
        search_term,
        region,
        cast("hour" as integer) as spend_hour,
        report_level,
        cast(coalesce(impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(coalesce(cost, 0) as numeric(18, 2)) as cost,
        {{ currency_code('currency') }} as currency
    from {{ source('raw', 'ad_spend') }}

),

final as (

    select raw_rows.*
    from raw_rows
    inner join winning_reports
        on raw_rows.company_id = winning_reports.company_id
        and raw_rows.platform = winning_reports.platform
        and raw_rows.spend_date = winning_reports.spend_date
        and raw_rows.file_sha256 = winning_reports.file_sha256
        -- the platform-wide scope ('') takes every row of its report that day
        and (winning_reports.scope_account = '' or winning_reports.scope_account = raw_rows.account)

)

select * from final
