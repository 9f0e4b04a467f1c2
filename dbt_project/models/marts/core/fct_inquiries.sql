-- One row per inquiry (company x inquiry_id), current state as of the last register load, with
-- its canonical channel, resolved product and stage dates (int_inquiry_stage_dates), times in
-- UTC, and won revenue / gross profit in CNY. inquiry_id is the normalised key (XP-003 and
-- XP-3 are one inquiry, macro inquiry_key); inquiry_id_as_written is the id as the latest
-- import listing it typed it. Inquiries removed from the register are not here
-- (audit_inquiries_removed).
--
-- Validity comes from the invalid-inquiry rules (int_inquiry_validity, seed
-- invalid_inquiry_rules), not from the register's stage alone: is_invalid, and with it is_lost
-- and is_open, follow the rules, so every mart counting valid inquiries follows them too.
with inquiries as (

    select * from {{ ref('int_inquiry_stage_dates') }}

),

validity as (

    select * from {{ ref('int_inquiry_validity') }}

),

channels as (

    select * from {{ ref('dim_channels') }}

),

linked_orders as (

    -- orders name the inquiry as sales typed it; the key matches XP-0003 to XP-3
    select
        company_id,
        {{ inquiry_key('inquiry_id') }} as inquiry_id,
        sum(revenue_cny) as revenue_cny,
        -- unknown (NULL) as soon as one linked line has no valid cost card: sum() would skip it
        case when count(*) = count(gross_profit_cny) then sum(gross_profit_cny) end as gross_profit_cny
    from {{ ref('int_order_lines_costed') }}
    where inquiry_id is not null
    group by company_id, {{ inquiry_key('inquiry_id') }}

),

attributed as (

    select
        inquiries.*,
        coalesce(alias_keys.channel_id, 'unknown') as channel_id,
        product_keys.product_sku,
        products.product_line
    from inquiries
    left join {{ ref('int_channel_alias_keys') }} as alias_keys
        on {{ normalize_label('inquiries.channel_label') }} = alias_keys.label_key
    left join {{ ref('int_product_keys') }} as product_keys
        on inquiries.company_id = product_keys.company_id
        and upper(trim(inquiries.product)) = product_keys.product_key
    left join {{ ref('int_products') }} as products
        on product_keys.company_id = products.company_id
        and product_keys.product_sku = products.product_sku

),

valued as (

    select
        attributed.*,
        linked_orders.revenue_cny as linked_revenue_cny,
        linked_orders.gross_profit_cny as linked_gross_profit_cny,
        {{ money(exact('attributed.deal_amount') ~ ' * ' ~ cny_per_unit('fx', 'attributed.deal_currency')) }} as deal_amount_cny
    from attributed
    left join linked_orders
        on attributed.company_id = linked_orders.company_id
        and attributed.inquiry_id = linked_orders.inquiry_id
    {{ fx_rate_join('fx', 'attributed.deal_currency', 'cast(attributed.won_at_local as date)') }}

),

final as (

    select
        valued.company_id,
        valued.inquiry_id,
        valued.inquiry_id_as_written,
        {{ wall_time_to_utc('valued.received_at_local') }} as received_at,
        valued.received_date,
        valued.channel_id,
        channels.channel_group,
        channels.is_paid,
        valued.channel_label,
        valued.contact_method,
        valued.country,
        valued.product_sku,
        coalesce(valued.product_line, 'unknown') as product_line,
        valued.stage_reached,
        -- a rule never makes a won inquiry invalid (it overrides nothing beyond 新询盘); an inquiry
        -- a rule makes invalid is neither lost nor open, so won + lost + open = valid still holds
        valued.is_won and not coalesce(validity.is_invalid, valued.is_invalid) as is_won,
        valued.is_lost and not coalesce(validity.is_invalid, valued.is_invalid) as is_lost,
        not coalesce(validity.is_invalid, valued.is_invalid)
            and not valued.is_lost and not valued.is_won as is_open,
        coalesce(validity.is_invalid, valued.is_invalid) as is_invalid,
        case when not coalesce(validity.is_invalid, valued.is_invalid) then valued.lost_stage end as lost_stage,
        case when not coalesce(validity.is_invalid, valued.is_invalid) then valued.lost_reason end as lost_reason,
        valued.invalid_reason,
        {{ wall_time_to_utc('valued.intentional_at_local') }} as intentional_at,
        {{ wall_time_to_utc('valued.effective_at_local') }} as effective_at,
        {{ wall_time_to_utc('valued.won_at_local') }} as won_at,
        case
            when not coalesce(validity.is_invalid, valued.is_invalid)
                then {{ wall_time_to_utc('valued.lost_at_local') }}
        end as lost_at,
        valued.won_at_source,
        valued.days_to_intentional,
        valued.days_to_effective,
        valued.days_to_won,
        cast(case
            when not valued.is_won then 0
            else coalesce(valued.linked_revenue_cny, valued.deal_amount_cny)
        end as numeric(18, 2)) as won_revenue_cny,
        cast(case
            when not valued.is_won then 0
            else valued.linked_gross_profit_cny
        end as numeric(18, 2)) as won_gross_profit_cny,
        valued.sales_rep,
        valued.snapshots_seen,
        validity.invalid_rule_id,
        validity.invalid_rule_label_zh,
        validity.invalid_rule_label_en,
        validity.validity_basis,
        validity.register_stage_label
    from valued
    inner join channels
        on valued.channel_id = channels.channel_id
    -- every inquiry has its validity row (same source model); the register's stage is only the
    -- fallback a unit test without that input sees
    left join validity
        on valued.company_id = validity.company_id
        and valued.inquiry_id = validity.inquiry_id

)

select * from final
