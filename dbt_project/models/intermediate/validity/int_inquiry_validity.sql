-- One row per inquiry (company x inquiry_id, every inquiry still in the register): whether it is
-- valid, and why not. The one place validity is decided; fct_inquiries and every mart that counts
-- valid inquiries take `is_invalid` from here.
--
-- Rule (docs/metrics.md, "Valid and invalid inquiries"):
-- * an inquiry is invalid when an active rule of seed invalid_inquiry_rules fires on it and is not
--   overridden (int_inquiry_rule_hits: a rule never overrides a register that took the inquiry
--   beyond 新询盘). The register's own 无效 stage is such a rule (register_invalid), so a 无效
--   label no other rule confirms still counts as invalid, with validity_basis `register_only`.
-- * when several rules fire, the applied one with the lowest priority, then rule_id, is the
--   inquiry's invalid_rule_id; the register_stage rule (priority 900) only decides when no
--   content rule does.
-- * validity_basis says who decided: rule (rules only, the register does not say 无效),
--   rule_and_register (both), register_only (the register says 无效, no rule confirms),
--   overridden_by_progress (a rule fired, sales took the inquiry further: valid),
--   register_ignored (the register says 无效 but the register_invalid rule is switched off:
--   valid), valid (nothing fired).
with inquiries as (

    select
        company_id,
        inquiry_id,
        received_date,
        current_stage,
        stage_label,
        invalid_reason
    from {{ ref('int_inquiry_stage_dates') }}

),

hits as (

    select
        *,
        row_number() over (
            partition by company_id, inquiry_id, is_overridden
            order by priority, rule_id
        ) as rank_in_kind
    from {{ ref('int_inquiry_rule_hits') }}

),

summary as (

    select
        company_id,
        inquiry_id,
        count(*) as rules_fired,
        {{ count_if('not is_overridden') }} as rules_applied,
        {{ count_if("not is_overridden and rule_type <> 'register_stage'") }} as content_rules_applied,
        {{ dbt.listagg('rule_id', "', '", 'order by priority, rule_id') }} as rule_ids_fired
    from hits
    group by company_id, inquiry_id

),

final as (

    select
        inquiries.company_id,
        inquiries.inquiry_id,
        inquiries.received_date,
        coalesce(summary.rules_applied, 0) > 0 as is_invalid,
        applied.rule_id as invalid_rule_id,
        applied.rule_type as invalid_rule_type,
        applied.label_zh as invalid_rule_label_zh,
        applied.label_en as invalid_rule_label_en,
        applied.matched_field as invalid_matched_field,
        applied.duplicate_of_inquiry_id,
        applied.days_since_previous,
        overridden.rule_id as overridden_rule_id,
        overridden.label_zh as overridden_rule_label_zh,
        overridden.label_en as overridden_rule_label_en,
        cast(coalesce(summary.rules_fired, 0) as {{ dbt.type_int() }}) as rules_fired,
        summary.rule_ids_fired,
        inquiries.current_stage = 'invalid' as is_register_invalid,
        inquiries.stage_label as register_stage_label,
        case when inquiries.current_stage = 'invalid' then inquiries.invalid_reason end as register_invalid_reason,
        case
            when coalesce(summary.content_rules_applied, 0) > 0 and inquiries.current_stage = 'invalid'
                then 'rule_and_register'
            when coalesce(summary.content_rules_applied, 0) > 0 then 'rule'
            when coalesce(summary.rules_applied, 0) > 0 then 'register_only'
            when overridden.rule_id is not null then 'overridden_by_progress'
            when inquiries.current_stage = 'invalid' then 'register_ignored'
            else 'valid'
        end as validity_basis
    from inquiries
    left join summary
        on inquiries.company_id = summary.company_id
        and inquiries.inquiry_id = summary.inquiry_id
    left join hits as applied
        on inquiries.company_id = applied.company_id
        and inquiries.inquiry_id = applied.inquiry_id
        and not applied.is_overridden
        and applied.rank_in_kind = 1
    left join hits as overridden
        on inquiries.company_id = overridden.company_id
        and inquiries.inquiry_id = overridden.inquiry_id
        and overridden.is_overridden
        and overridden.rank_in_kind = 1

)

select
    *,
    -- the register's own label disagrees with the rules' verdict (shown beside the rule)
    validity_basis in ('rule', 'register_only', 'overridden_by_progress', 'register_ignored')
        as register_label_differs
from final
