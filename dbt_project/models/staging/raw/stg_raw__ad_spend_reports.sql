{#- Incremental by day, unlike the other staging models: the ad-spend rows are the one source that
    reaches millions of rows (keyword reports). A report's rank depends only on the other reports
    of its company, platform and day, so a run re-ranks just the company-days that a file loaded
    since this table's newest load has rows for (the landing zone is append-only and load_seq
    grows with every file), and keeps every other day as built. `dbt build --full-refresh`
    re-ranks every day (a backfill after raw files were removed by hand). On Spark (plain
    Parquet: no delete+insert) it is rebuilt as a table. -#}
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key=['company_id', 'spend_date'],
        on_schema_change='append_new_columns',
    )
}}
{#- A warehouse built before this model was incremental has no built_by_invocation_id column: that
    first incremental run takes every day (and adds the column), the next ones only new days. -#}
{%- set incremental = incremental_with_columns(['built_by_invocation_id']) -%}
-- One row per ad-spend report and scope-day: every file's rows of one company, platform, scope and
-- spend date, totalled, with which report is the grain of record (report_rank = 1). The rule:
--   * scope: a report without an account covers the whole platform that day, so where one exists
--     the day has a single platform-wide scope (scope_account ''); otherwise each account is its
--     own scope;
--   * within a scope: a report covering the whole scope first (an account-less report in the
--     platform-wide scope), then the coarsest report level (a coarser report includes spend that
--     finer ones omit, e.g. ads without keywords), then the latest load (a restated export of the
--     same kind replaces the earlier one).
with all_rows as (

    {{ ad_spend_rows([
        'company_id', 'platform', 'account', 'spend_date', 'file_sha256', 'source_file', 'load_seq',
        'report_level', 'report_level_rank', 'impressions', 'clicks', 'cost', 'currency',
    ], where=in_newly_loaded('spend_date', source('raw', 'ad_spend')) if incremental else none) }}

),

-- an incremental run re-ranks only the company-days a file loaded since has rows for
raw_rows as (

    {{ rows_to_restage('all_rows', ['company_id', 'spend_date'], incremental) }}

),

platform_wide_days as (

    select distinct company_id, platform, spend_date
    from raw_rows
    where account is null

),

scoped as (

    select
        raw_rows.*,
        -- '' is never a real account (blank accounts are NULL): the platform-wide scope
        case when platform_wide_days.spend_date is null then raw_rows.account else '' end as scope_account
    from raw_rows
    left join platform_wide_days
        on {{ same_keys('raw_rows', 'platform_wide_days', ['company_id', 'platform', 'spend_date']) }}

),

reports as (

    select
        company_id,
        platform,
        scope_account,
        spend_date,
        file_sha256,
        min(source_file) as source_file,
        max(load_seq) as load_seq,
        min(report_level_rank) as report_level_rank,
        min(report_level) as report_level,
        max(case when account is null then 1 else 0 end) as covers_platform,
        min(currency) as currency,
        count(distinct currency) as currencies,
        cast(sum(cost) as numeric(18, 2)) as cost,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        count(*) as report_rows
    from scoped
    group by company_id, platform, scope_account, spend_date, file_sha256

),

final as (

    select
        reports.*,
        row_number() over (
            partition by company_id, platform, scope_account, spend_date
            order by covers_platform desc, report_level_rank, load_seq desc, file_sha256
        ) as report_rank,
        -- which dbt invocation ranked the day: stg_raw__ad_spend re-reads the days ranked since it ran
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as built_by_invocation_id
    from reports

)

select * from final
