{#- The identity of an inquiry in the register (docs/raw-landing.md, "inquiries"): sales retype
    ids, so "XP-3", "XP-003", "xp-003 " and full-width "ＸＰ－００３" are one inquiry. The key is
    the id with full-width letters, digits and hyphens made half-width, upper case, without
    spaces, and with the leading zeros of its trailing number removed (the number itself is kept:
    "XP-100" stays "XP-100", "XP-000" becomes "XP-0"). Only the trailing number is normalised:
    "XP-003A" stays as written. Orders link to inquiries through the same key. -#}
{% macro inquiry_key(expression) -%}
    {%- set half_width_upper -%}
        upper(replace(replace(translate(trim({{ expression }}),
            'ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ０１２３４５６７８９－',
            'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-'),
            ' ', ''), '　', ''))
    {%- endset -%}
    {{ regexp_replace_all(half_width_upper, "'(^|[^0-9])0+([0-9]+)$'", "'\\1\\2'") }}
{%- endmacro %}
