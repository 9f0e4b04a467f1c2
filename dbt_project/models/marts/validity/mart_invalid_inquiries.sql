-- One row per inquiry (company x inquiry_id) that an invalid-inquiry rule fired on or that the
-- register calls 无效: the ones counted invalid, and the ones a rule flagged but sales took
-- beyond 新询盘 (overridden_by_progress, counted valid) or the register's 无效 that the switched-off
-- register_invalid rule leaves valid. The dashboard lists them by rule so an owner sees whether
-- the spam filter is too eager. Personal data is masked here, before publishing: the serving
-- file never holds a full email or phone (macros mask_email, mask_phone).
with validity as (

    select * from {{ ref('int_inquiry_validity') }}
    where validity_basis <> 'valid'

),

inquiries as (

    select * from {{ ref('fct_inquiries') }}

),

details as (

    {{ inquiry_contacts(['customer_company', 'contact_name', 'message']) }}

),

final as (

    select
        validity.company_id,
        validity.inquiry_id,
        inquiries.inquiry_id_as_written,
        inquiries.received_date,
        {{ month_start('inquiries.received_date') }} as month_start,
        inquiries.channel_id,
        inquiries.country,
        validity.is_invalid,
        validity.validity_basis,
        case validity.validity_basis
            when 'rule' then '规则判定 Rule only'
            when 'rule_and_register' then '规则与登记表一致 Rule and register agree'
            when 'register_only' then '仅登记表标无效 Register only'
            when 'overridden_by_progress' then '规则命中但已跟进（计为有效） Rule overridden by progress (valid)'
            when 'register_ignored' then '登记表无效未采用（计为有效） Register label not applied (valid)'
        end as validity_basis_label,
        coalesce(validity.invalid_rule_id, validity.overridden_rule_id, 'register_invalid') as rule_id,
        coalesce(
            validity.invalid_rule_label_zh || ' ' || validity.invalid_rule_label_en,
            validity.overridden_rule_label_zh || ' ' || validity.overridden_rule_label_en,
            '登记表标为无效 Marked invalid in the register'
        ) as rule_label,
        validity.invalid_rule_type,
        validity.rules_fired,
        validity.rule_ids_fired,
        validity.duplicate_of_inquiry_id,
        validity.days_since_previous,
        validity.register_stage_label,
        validity.register_invalid_reason,
        validity.register_label_differs,
        details.customer_company,
        details.contact_name,
        {{ mask_email('details.email_key') }} as email_masked,
        {{ mask_phone('details.phone_key') }} as phone_masked,
        substr(details.message, 1, 80) as message_excerpt
    from validity
    inner join inquiries
        on validity.company_id = inquiries.company_id
        and validity.inquiry_id = inquiries.inquiry_id
    inner join details
        on validity.company_id = details.company_id
        and validity.inquiry_id = details.inquiry_id

)

select * from final
