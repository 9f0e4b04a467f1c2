{#- Macros of the invalid-inquiry rules (seed invalid_inquiry_rules, models/intermediate/validity). -#}

{#- True when `pattern` (a regular expression, matched case-insensitively anywhere in the text)
    is found in `expression`. DuckDB's regexp_matches and PostgreSQL's ~* agree on the portable
    subset the seed documents (no \b, no look-around). -#}
{% macro regex_found(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_found', 'xunpan')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_found(expression, pattern) -%}
    ({{ expression }} ~* {{ pattern }})
{%- endmacro %}

{% macro duckdb__regex_found(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }}, 'i')
{%- endmacro %}

{#- The identity of an email address: trimmed, lower case, full-width @ made half-width, the
    first address when a cell lists several ("a@x.com; b@y.com"); NULL without an @. -#}
{% macro email_key(expression) -%}
    case
        when {{ dbt.position("'@'", "replace(lower(trim(" ~ expression ~ ")), '＠', '@')") }} > 1
        then nullif(trim(split_part(split_part(split_part(split_part(
            replace(replace(lower(trim({{ expression }})), '＠', '@'), ' ', ''),
            ';', 1), ',', 1), '；', 1), '，', 1)), '')
    end
{%- endmacro %}

{#- The identity of a phone number: its digits only, a leading international prefix 00 or + and
    China's country code 86 before an 11-digit mobile number dropped, so "+86 138-1234-5678",
    "0086 13812345678" and "138 1234 5678" are one phone. Fewer than 7 digits is no phone
    (NULL): "n/a", an extension. Other countries' codes are kept as written, so a foreign
    number typed once with and once without its country code is two phones. -#}
{% macro phone_key(expression) -%}
    case
        when length(regexp_replace({{ regexp_replace_all(expression, "'[^0-9]'", "''") }}, '^00', '')) < 7 then null
        when regexp_replace({{ regexp_replace_all(expression, "'[^0-9]'", "''") }}, '^00', '') like '861%'
            and length(regexp_replace({{ regexp_replace_all(expression, "'[^0-9]'", "''") }}, '^00', '')) = 13
        then substr(regexp_replace({{ regexp_replace_all(expression, "'[^0-9]'", "''") }}, '^00', ''), 3)
        else regexp_replace({{ regexp_replace_all(expression, "'[^0-9]'", "''") }}, '^00', '')
    end
{%- endmacro %}

{#- Personal data as the dashboards may show it: an email keeps its first character and its
    domain (j***@example.com), a phone its last four digits (***5678). -#}
{% macro mask_email(email_key) -%}
    case when {{ email_key }} is not null
        then substr({{ email_key }}, 1, 1) || '***@' || split_part({{ email_key }}, '@', 2)
    end
{%- endmacro %}

{% macro mask_phone(phone_key) -%}
    case when {{ phone_key }} is not null
        then '***' || substr({{ phone_key }}, length({{ phone_key }}) - 3, 4)
    end
{%- endmacro %}

{#- The register's inquiries (int_inquiry_stage_dates): company_id, inquiry_id, `columns`, and
    the contact keys that the rules match on and the invalid-inquiry list masks (email_key,
    phone_key, computed from the email and phone columns whether `columns` lists them or not):
    the body of a CTE. -#}
{% macro inquiry_contacts(columns) -%}
    select
        company_id,
        inquiry_id,
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {{ email_key('email') }} as email_key,
        {{ phone_key('phone') }} as phone_key
    from {{ ref('int_inquiry_stage_dates') }}
{%- endmacro %}

{#- True when an invalid-inquiry rule (the `rules` alias: rule_company_id NULL for every company)
    applies to the company of an inquiry. -#}
{% macro rule_applies_to(rules, company_expression) -%}
    ({{ rules }}.rule_company_id is null or {{ rules }}.rule_company_id = {{ company_expression }})
{%- endmacro %}
