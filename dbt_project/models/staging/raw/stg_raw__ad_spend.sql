{#- Incremental by day, like stg_raw__ad_spend_reports (the one source that reaches millions of
    rows): a run rewrites the rows of the company-days that the report ranking re-ranked since
    this table last took them, and keeps every other day's rows. A view would re-read and
    re-rank every raw file for each of the dozen tests and models that read it; a table rebuilt
    whole rewrote every row every day (18 s of a 10-company daily run). Spark: a table. -#}
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key=['company_id', 'spend_date'],
        on_schema_change='append_new_columns',
    )
}}
{%- set incremental = incremental_with_columns(['reports_built_by_invocation_id']) -%}
-- One row per ad-spend report row that counts: the rows of the one report per company, platform,
-- scope and day that is the grain of record (stg_raw__ad_spend_reports, report_rank = 1). Two
-- kinds of report of one day (campaign and keyword, with or without an account) are never summed.
with all_winning_reports as (

    select company_id, platform, scope_account, spend_date, file_sha256, built_by_invocation_id
    from {{ ref('stg_raw__ad_spend_reports') }}
    where report_rank = 1

),
{%- if incremental %}

-- the company-days whose ranking was built by another invocation than the one these rows were
-- taken from: days ranked since (new or restated files), or left by a run that stopped between
-- the two models
touched_days as (

    select company_id, spend_date, built_by_invocation_id from all_winning_reports
    except
    select company_id, spend_date, reports_built_by_invocation_id from {{ this }}

),

winning_reports as (

    select all_winning_reports.*
    from all_winning_reports
    inner join (select distinct company_id, spend_date from touched_days) as touched
        on {{ same_keys('all_winning_reports', 'touched', ['company_id', 'spend_date']) }}

),
{%- else %}

winning_reports as (

    select * from all_winning_reports

),
{%- endif %}

raw_rows as (

    {#- only the raw rows of the days taken again (on the raw column, so Parquet row groups of
        other days are skipped) -#}
    {{ ad_spend_rows([
        'company_id', 'file_sha256', 'source_file', 'source_layout', 'source_row', 'load_seq',
        'spend_date', 'platform', 'account', 'campaign', 'ad_group', 'keyword', 'search_term',
        'region', 'spend_hour', 'report_level', 'impressions', 'clicks', 'cost', 'currency',
    ], where='spend_date in (select spend_date from touched_days)' if incremental else none) }}

),

final as (

    select
        raw_rows.*,
        winning_reports.built_by_invocation_id as reports_built_by_invocation_id
    from raw_rows
    inner join winning_reports
        on {{ same_keys('raw_rows', 'winning_reports', ['company_id', 'platform', 'spend_date', 'file_sha256']) }}
        -- the platform-wide scope ('') takes every row of its report that day
        and (winning_reports.scope_account = '' or winning_reports.scope_account = raw_rows.account)

)

select * from final
