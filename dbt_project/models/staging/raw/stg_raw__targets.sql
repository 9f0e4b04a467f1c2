-- One row per company x target_month x target (a channel or a channel group): the owner's monthly
-- targets. The latest loaded file listing a month is that month's plan ("latest load wins" on
-- company x month), so a revised sheet replaces the whole month rather than adding to it. A label
-- maps to a channel through the alias seed first (as the importer checks), else to a channel group
-- by its id or Chinese name; the importer refuses anything else, so target_scope is never NULL for
-- imported rows.
with raw_targets as (

    select
        raw.*,
        {{ company_id_or_default('raw.company_id') }} as target_company_id,
        cast(raw.target_month as date) as month_start,
        alias_keys.channel_id as mapped_channel_id,
        case {{ normalize_label('raw.channel_label') }}
            {%- for group, zh in [('b2b_platform', 'B2B平台'), ('paid_search', '付费搜索'), ('organic_search', '自然搜索'),
                                  ('social', '社交媒体'), ('website', '官网'), ('offline', '线下/展会'),
                                  ('referral', '老客户介绍'), ('other', '其他')] %}
            when {{ normalize_label("'" ~ group ~ "'") }} then '{{ group }}'
            when {{ normalize_label("'" ~ zh ~ "'") }} then '{{ group }}'
            {%- endfor %}
        end as mapped_channel_group
    from {{ source('raw', 'targets') }} as raw
    left join {{ ref('int_channel_alias_keys') }} as alias_keys
        on {{ normalize_label('raw.channel_label') }} = alias_keys.label_key

),

latest_rows as (

    {{ latest_load('raw_targets', ['target_company_id', 'month_start']) }}

),

final as (

    select
        latest_rows.target_company_id as company_id,
        latest_rows.month_start as target_month,
        trim(latest_rows.channel_label) as channel_label,
        case
            when latest_rows.mapped_channel_id is not null then 'channel'
            when latest_rows.mapped_channel_group is not null then 'channel_group'
        end as target_scope,
        coalesce(latest_rows.mapped_channel_id, latest_rows.mapped_channel_group) as target_key,
        coalesce(channels.channel_group, latest_rows.mapped_channel_group) as channel_group,
        cast(latest_rows.target_inquiries as integer) as target_inquiries,
        cast(latest_rows.target_won as integer) as target_won,
        cast(latest_rows.budget as numeric(18, 2)) as budget_cny,
        cast(latest_rows.target_revenue as numeric(18, 2)) as target_revenue_cny,
        latest_rows.file_sha256,
        cast(latest_rows.source_row as {{ dbt.type_bigint() }}) as source_row,
        cast(latest_rows.load_seq as {{ dbt.type_bigint() }}) as load_seq
    from latest_rows
    left join {{ ref('channels') }} as channels
        on latest_rows.mapped_channel_id = channels.channel_id

)

select * from final
