-- One row per inquiry x active invalid-inquiry rule that fires on it (company x inquiry_id x
-- rule_id). The rules are data (seed invalid_inquiry_rules); this model only applies them, so an
-- analyst's edit of the seed changes which rows are here and nothing else.
--
-- A hit is `is_overridden` when the register has taken the inquiry beyond 新询盘 (stage_reached
-- intentional, effective or won): sales worked it, so it is no spam, pitch or duplicate whatever
-- its text says. Overridden hits are kept: they are how an owner sees a filter that is too eager.
-- The register's own 无效 stage (rule_type register_stage) is a rule like the others.
{%- set text_fields = ['customer_company', 'contact_name', 'message', 'email'] %}
with inquiries as (

    {{ inquiry_contacts(['received_at_local', 'received_date', 'current_stage', 'stage_reached'] + text_fields + ['phone', 'country']) }}

),

rules as (

    select
        trim(rule_id) as rule_id,
        priority,
        lower(trim(rule_type)) as rule_type,
        lower(trim(field)) as field,
        trim(pattern) as pattern,
        window_days,
        nullif(trim(company_id), '') as rule_company_id,
        label_zh,
        label_en
    from {{ ref('invalid_inquiry_rules') }}
    where is_active

),

-- the text fields the keyword and regex rules read, one row per inquiry x field
text_fields as (

    {%- for field in text_fields %}
    select company_id, inquiry_id, '{{ field }}' as field, {{ field }} as field_value from inquiries
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

text_candidates as (

    select
        text_fields.company_id,
        text_fields.inquiry_id,
        text_fields.field as matched_field,
        text_fields.field_value,
        rules.rule_id,
        rules.rule_type,
        rules.pattern
    from text_fields
    inner join rules
        on rules.rule_type in ('keyword', 'regex')
        and (
            rules.field = text_fields.field
            or (rules.field = 'any' and text_fields.field in ('customer_company', 'contact_name', 'message'))
        )
        and {{ rule_applies_to('rules', 'text_fields.company_id') }}
    where text_fields.field_value is not null

),

keyword_hits as (

    select company_id, inquiry_id, rule_id, matched_field
    from text_candidates
    where rule_type = 'keyword'
        and {{ dbt.position('lower(pattern)', 'lower(field_value)') }} > 0

),

regex_candidates as (

    select * from text_candidates where rule_type = 'regex'

),

regex_hits as (

    select company_id, inquiry_id, rule_id, matched_field
    from regex_candidates
    where {{ regex_found('field_value', 'pattern') }}

),

-- one text hit per inquiry and rule (a rule on `any` may match several fields: the first by name)
text_hits as (

    select company_id, inquiry_id, rule_id, min(matched_field) as matched_field
    from (
        select * from keyword_hits
        union all
        select * from regex_hits
    ) as hits
    group by company_id, inquiry_id, rule_id

),

-- the rules on one attribute of the inquiry: its email's domain (or a subdomain of it), its
-- country, its register stage (the register's own 无效)
attribute_hits as (

    select
        inquiries.company_id,
        inquiries.inquiry_id,
        rules.rule_id,
        case rules.rule_type
            when 'email_domain' then 'email'
            when 'country' then 'country'
            else 'stage'
        end as matched_field
    from inquiries
    inner join rules
        on rules.rule_type in ('email_domain', 'country', 'register_stage')
        and {{ rule_applies_to('rules', 'inquiries.company_id') }}
    where (
            rules.rule_type = 'email_domain'
            and inquiries.email_key is not null
            and (
                split_part(inquiries.email_key, '@', 2) = lower(rules.pattern)
                or split_part(inquiries.email_key, '@', 2) like '%.' || lower(rules.pattern)
            )
        )
        or (rules.rule_type = 'country' and lower(trim(inquiries.country)) = lower(rules.pattern))
        or (rules.rule_type = 'register_stage' and inquiries.current_stage = lower(rules.pattern))

),

-- each inquiry's previous inquiry from the same contact (any channel, valid or not, still in
-- the register), in order of receipt; the inquiry id breaks ties of the same minute
contact_sequence as (

    {%- for contact in ['phone', 'email'] %}
    select
        company_id,
        inquiry_id,
        '{{ contact }}' as contact_field,
        received_date,
        lag(inquiry_id) over (
            partition by company_id, {{ contact }}_key order by received_at_local, inquiry_id
        ) as previous_inquiry_id,
        lag(received_date) over (
            partition by company_id, {{ contact }}_key order by received_at_local, inquiry_id
        ) as previous_received_date
    from inquiries
    where {{ contact }}_key is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

duplicate_hits as (

    select
        contact_sequence.company_id,
        contact_sequence.inquiry_id,
        rules.rule_id,
        contact_sequence.contact_field as matched_field,
        contact_sequence.previous_inquiry_id as duplicate_of_inquiry_id,
        {{ days_between('contact_sequence.previous_received_date', 'contact_sequence.received_date') }}
            as days_since_previous
    from contact_sequence
    inner join rules
        on rules.rule_type = 'duplicate_contact'
        and rules.field = contact_sequence.contact_field
        and {{ rule_applies_to('rules', 'contact_sequence.company_id') }}
    where contact_sequence.previous_inquiry_id is not null
        and {{ days_between('contact_sequence.previous_received_date', 'contact_sequence.received_date') }}
            <= rules.window_days

),

all_hits as (

    -- only a duplicate names an earlier inquiry
    select
        company_id, inquiry_id, rule_id, matched_field,
        cast(null as {{ dbt.type_string() }}) as duplicate_of_inquiry_id,
        cast(null as {{ dbt.type_int() }}) as days_since_previous
    from (
        select * from text_hits
        union all
        select * from attribute_hits
    ) as single_hits
    union all
    select
        company_id, inquiry_id, rule_id, matched_field,
        cast(duplicate_of_inquiry_id as {{ dbt.type_string() }}) as duplicate_of_inquiry_id,
        cast(days_since_previous as {{ dbt.type_int() }}) as days_since_previous
    from duplicate_hits

),

final as (

    select
        all_hits.company_id,
        all_hits.inquiry_id,
        all_hits.rule_id,
        rules.priority,
        rules.rule_type,
        rules.label_zh,
        rules.label_en,
        all_hits.matched_field,
        all_hits.duplicate_of_inquiry_id,
        all_hits.days_since_previous,
        rules.rule_type <> 'register_stage'
            and inquiries.stage_reached in ('intentional', 'effective', 'won') as is_overridden
    from all_hits
    inner join rules
        on all_hits.rule_id = rules.rule_id
    inner join inquiries
        on all_hits.company_id = inquiries.company_id
        and all_hits.inquiry_id = inquiries.inquiry_id

)

select * from final
