{#- A table, unlike the other staging models: the ad-spend rows are the one source that reaches
    millions of rows (keyword reports), and a view would re-read and re-rank every raw file for
    each of the dozen tests and models that read it (about 0.75 s each at 2,000,000 rows; from a
    table a test takes milliseconds). -#}
{{ config(materialized='table') }}
-- One row per ad-spend report and scope-day: every file's rows of one company, platform, scope and
-- spend date, totalled, with which report is the grain of record (report_rank = 1). The rule:
--   * scope: a report without an account covers the whole platform that day, so where one exists
--     the day has a single platform-wide scope (scope_account ''); otherwise each account is its
--     own scope;
--   * within a scope: a report covering the whole scope first (an account-less report in the
--     platform-wide scope), then the coarsest report level (a coarser report includes spend that
--     finer ones omit, e.g. ads without keywords), then the latest load (a restated export of the
--     same kind replaces the earlier one).
with raw_rows as (

    {{ ad_spend_rows([
        'company_id', 'platform', 'account', 'spend_date', 'file_sha256', 'source_file', 'load_seq',
        'report_level', 'report_level_rank', 'impressions', 'clicks', 'cost', 'currency',
    ]) }}

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
        ) as report_rank
    from reports

)

select * from final
