-- One row per ad-spend report row that counts: of the raw rows of one
-- (company, platform, account, spend_date), only those of the latest loaded file.
with latest_rows as (

    {{ latest_load(source('raw', 'ad_spend'), ['company_id', 'platform', 'account', 'spend_date']) }}

),

final as (

    select
        {{ company_id_or_default('company_id') }} as company_id,
        file_sha256,
        source_file,
        source_layout,
        cast(source_row as {{ dbt.type_bigint() }}) as source_row,
        cast(load_seq as {{ dbt.type_bigint() }}) as load_seq,
        cast(spend_date as date) as spend_date,
        lower(trim(platform)) as platform,
        account,
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
    from latest_rows

)

select * from final
