-- One row per company x day x channel x PPC keyword: what the keyword cost (keyword-level ad
-- reports that count, in CNY), its impressions and clicks, and the inquiries the register
-- attributes to it, so the keywords that bring inquiries stand apart from those that only spend.
-- Attribution (docs/metrics.md, "Keyword performance"): an inquiry of a paid-search or P4P
-- channel counts for the keyword its 关键词 names (case and spaces ignored); an inquiry with no
-- keyword but a 着陆页 counts for the bought keyword that brought the most web-analytics sessions
-- to that landing page; an inquiry with neither is not in this view. Days whose ad record is a
-- coarser report (account, campaign) have no keyword spend here.
{%- set keyword_day = ['company_id', 'date_day', 'channel_id', 'keyword_key'] %}
with keyword_days as (

    select * from {{ ref('int_ad_keywords_daily') }}

),

bought_keywords as (

    select distinct company_id, channel_id, keyword_key from keyword_days

),

landing_page_keywords as (

    -- the bought keyword that brought the most sessions to each landing page
    select company_id, landing_page_key, keyword_key
    from (
        select
            web.company_id,
            lower(trim(web.landing_page)) as landing_page_key,
            lower(trim(web.keyword)) as keyword_key,
            row_number() over (
                partition by web.company_id, lower(trim(web.landing_page))
                order by sum(web.sessions) desc, lower(trim(web.keyword))
            ) as keyword_rank
        from {{ ref('stg_raw__web_traffic') }} as web
        where web.landing_page is not null
            and exists (
                select 1 from bought_keywords
                where bought_keywords.company_id = web.company_id
                    and bought_keywords.keyword_key = lower(trim(web.keyword))
            )
        group by web.company_id, lower(trim(web.landing_page)), lower(trim(web.keyword))
    ) as ranked
    where keyword_rank = 1

),

paid_inquiries as (

    select
        inquiries.company_id,
        inquiries.received_date as date_day,
        inquiries.channel_id,
        inquiries.is_invalid,
        inquiries.stage_reached,
        nullif(lower(trim(current_rows.keyword)), '') as keyword_key,
        nullif(lower(trim(current_rows.landing_page)), '') as landing_page_key
    from {{ ref('fct_inquiries') }} as inquiries
    inner join {{ ref('stg_raw__inquiries_current') }} as current_rows
        on inquiries.company_id = current_rows.company_id
        and inquiries.inquiry_id = current_rows.inquiry_id
    where inquiries.channel_id in (select channel_id from {{ ref('ad_platform_channels') }})

),

attributed as (

    select
        paid_inquiries.company_id,
        paid_inquiries.date_day,
        paid_inquiries.channel_id,
        coalesce(paid_inquiries.keyword_key, landing_page_keywords.keyword_key) as keyword_key,
        paid_inquiries.keyword_key is null as is_by_landing_page,
        paid_inquiries.is_invalid,
        paid_inquiries.stage_reached
    from paid_inquiries
    left join landing_page_keywords
        on paid_inquiries.company_id = landing_page_keywords.company_id
        and paid_inquiries.landing_page_key = landing_page_keywords.landing_page_key

),

inquiry_days as (

    select
        company_id,
        date_day,
        channel_id,
        keyword_key,
        count(*) as inquiries_total,
        {{ count_if('not is_invalid') }} as inquiries_valid,
        {{ count_if("not is_invalid and stage_reached = 'won'") }} as inquiries_won,
        {{ count_if('is_by_landing_page') }} as inquiries_by_landing_page
    from attributed
    where keyword_key is not null
    group by {{ keyword_day | join(', ') }}

),

spellings as (

    select company_id, keyword_key, min(keyword) as keyword
    from keyword_days
    group by company_id, keyword_key

),

-- every keyword-day with spend, with inquiries, or both: one full join on the key (a union of
-- the keys then joined back to both sides would sort out every keyword-day twice)
day_rows as (

    select
        {%- for key in keyword_day %}
        coalesce(keyword_days.{{ key }}, inquiry_days.{{ key }}) as {{ key }},
        {%- endfor %}
        keyword_days.keyword_key is not null as has_keyword_spend,
        keyword_days.spend_cny,
        keyword_days.impressions,
        keyword_days.clicks,
        inquiry_days.inquiries_total,
        inquiry_days.inquiries_valid,
        inquiry_days.inquiries_won,
        inquiry_days.inquiries_by_landing_page
    from keyword_days
    full outer join inquiry_days
        on {{ same_keys('keyword_days', 'inquiry_days', keyword_day) }}

),

final as (

    select
        day_rows.company_id,
        day_rows.date_day,
        day_rows.channel_id,
        day_rows.keyword_key,
        coalesce(spellings.keyword, day_rows.keyword_key) as keyword,
        day_rows.has_keyword_spend,
        cast(coalesce(day_rows.spend_cny, 0) as numeric(18, 2)) as spend_cny,
        cast(day_rows.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(day_rows.clicks as {{ dbt.type_bigint() }}) as clicks,
        {%- for count in ['inquiries_total', 'inquiries_valid', 'inquiries_won', 'inquiries_by_landing_page'] %}
        cast(coalesce(day_rows.{{ count }}, 0) as {{ dbt.type_bigint() }}) as {{ count }},
        {%- endfor %}
        {{ safe_divide('day_rows.spend_cny', 'day_rows.inquiries_valid') }} as cost_per_inquiry_cny,
        {{ reporting_period_flags('day_rows.date_day') }}
    from day_rows
    left join spellings
        on {{ same_keys('day_rows', 'spellings', ['company_id', 'keyword_key']) }}
    inner join {{ ref('int_company_reporting_periods') }} as periods
        on day_rows.company_id = periods.company_id
    where day_rows.date_day <= periods.data_through_date

)

select * from final
