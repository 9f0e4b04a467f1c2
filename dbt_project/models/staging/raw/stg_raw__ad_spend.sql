{#- A table, unlike the other staging models: the ad-spend rows are the one source that reaches
    millions of rows (keyword reports), and a view would re-read and re-rank every raw file for
    each of the dozen tests and models that read it (about 0.75 s each at 2,000,000 rows; from a
    table a test takes milliseconds). -#}
{{ config(materialized='table') }}
-- One row per ad-spend report row that counts: the rows of the one report per company, platform,
-- scope and day that is the grain of record (stg_raw__ad_spend_reports, report_rank = 1). Two
-- kinds of report of one day (campaign and keyword, with or without an account) are never summed.
with winning_reports as (

    select company_id, platform, scope_account, spend_date, file_sha256
    from {{ ref('stg_raw__ad_spend_reports') }}
    where report_rank = 1

),

raw_rows as (

    {{ ad_spend_rows([
        'company_id', 'file_sha256', 'source_file', 'source_layout', 'source_row', 'load_seq',
        'spend_date', 'platform', 'account', 'campaign', 'ad_group', 'keyword', 'search_term',
        'region', 'spend_hour', 'report_level', 'impressions', 'clicks', 'cost', 'currency',
    ]) }}

),

final as (

    select raw_rows.*
    from raw_rows
    inner join winning_reports
        on {{ same_keys('raw_rows', 'winning_reports', ['company_id', 'platform', 'spend_date', 'file_sha256']) }}
        -- the platform-wide scope ('') takes every row of its report that day
        and (winning_reports.scope_account = '' or winning_reports.scope_account = raw_rows.account)

)

select * from final
