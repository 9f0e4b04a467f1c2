{#- Dialect differences that dbt's own cross-database macros (dbt.dateadd, dbt.datediff,
    dbt.date_trunc, dbt.listagg, dbt.position, dbt.type_*) do not cover. Each macro dispatches on
    the adapter: default__ is the standard SQL that DuckDB and PostgreSQL share, spark__ is Spark
    SQL (profiles.yml target `spark`). -#}

{#- Spark: the raw landing folders as external Parquet tables of database `raw`, so the sources
    resolve like the tables a Postgres deployment holds (on DuckDB the sources read the files
    directly). Runs as an on-run-start hook; a no-op on every other engine. The columns come from
    var('spark_raw_columns') ({kind: "name type, ..."}, built from each kind's `_schema.parquet`
    by the caller, see tests/dbt/test_spark.py): Spark skips files whose names start with "_", so
    it cannot infer a kind's columns before the kind has data. A declared schema also reads the
    files by column name, as DuckDB's union_by_name does. Dropping an external table keeps its
    files; re-creating it each run makes Spark list the folder afresh. -#}
{% macro register_raw_sources() -%}
    {%- if execute and target.type == 'spark' -%}
        {%- set columns = var('spark_raw_columns', {}) -%}
        {%- set raw_dir = env_var('XUNPAN_RAW_DIR', 'raw') -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- if source.name not in columns -%}
                {{ exceptions.raise_compiler_error(
                    "var('spark_raw_columns') has no columns for raw kind '" ~ source.name
                    ~ "': pass {kind: 'name type, ...'} for every kind (tests/dbt/test_spark.py builds it)") }}
            {%- endif -%}
            {%- do run_query('drop table if exists raw.' ~ source.name) -%}
            {%- do run_query(
                'create table raw.' ~ source.name ~ ' (' ~ columns[source.name] ~ ') using parquet'
                ~ " options (path '" ~ raw_dir ~ '/' ~ source.name ~ "')") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- ISO-8601 year and week of a date. -#}
{% macro iso_year_part(date_expression) -%}
    {{ return(adapter.dispatch('iso_year_part', 'xunpan')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_year_part(date_expression) -%}
    extract(isoyear from {{ date_expression }})
{%- endmacro %}

{% macro spark__iso_year_part(date_expression) -%}
    extract(yearofweek from {{ date_expression }})
{%- endmacro %}

{#- ISO day of the week, Monday = 1 ... Sunday = 7. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'xunpan')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    extract(dayofweek_iso from {{ date_expression }})
{%- endmacro %}

{#- The wall-clock time in `to_zone` of a wall-clock timestamp in `from_zone` (named IANA zones,
    daylight saving followed). AT TIME ZONE twice: wall time -> instant -> wall time elsewhere. -#}
{% macro convert_wall_time(timestamp_expression, from_zone, to_zone) -%}
    {{ return(adapter.dispatch('convert_wall_time', 'xunpan')(timestamp_expression, from_zone, to_zone)) }}
{%- endmacro %}

{% macro default__convert_wall_time(timestamp_expression, from_zone, to_zone) -%}
    (({{ timestamp_expression }}) at time zone '{{ from_zone }}') at time zone '{{ to_zone }}'
{%- endmacro %}

{#- Spark's TIMESTAMP is an instant shown in the session zone: to_utc_timestamp reads the value as
    from_zone wall time, from_utc_timestamp shows that instant as to_zone wall time. -#}
{% macro spark__convert_wall_time(timestamp_expression, from_zone, to_zone) -%}
    from_utc_timestamp(to_utc_timestamp({{ timestamp_expression }}, '{{ from_zone }}'), '{{ to_zone }}')
{%- endmacro %}

{#- Replace every match of a regular expression. `replacement` is a SQL string literal whose
    group references are written \1, \2 (POSIX style, as DuckDB and PostgreSQL take them). -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'xunpan')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{#- Spark replaces every match by default, references groups as $1 and reads a backslash in a
    string literal as an escape character, so \1 becomes $1. -#}
{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern | replace('\\', '\\\\') }}, {{ replacement | replace('\\', '$') }})
{%- endmacro %}

{#- regex_found (macros/validity.sql) on Spark: Java regular expressions, case-insensitive
    through the inline (?i) flag. -#}
{% macro spark__regex_found(expression, pattern) -%}
    ({{ expression }} rlike concat('(?i)', {{ pattern }}))
{%- endmacro %}

{#- Double-precision floating point (macros/money.sql type_double). -#}
{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- dbt.listagg on Spark keeps the ORDER BY (dbt-spark's own ignores it, so the order would
    depend on the shuffle): collect (sort keys..., value) structs, sort them, keep the values.
    Ascending keys only; the project dispatches dbt's namespace here first (dbt_project.yml). -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error('listagg with a limit is not implemented for Spark') }}
    {%- endif -%}
    {%- if not order_by_clause -%}
        array_join(collect_list({{ measure }}), {{ delimiter_text }})
    {%- else -%}
        {%- set keys = order_by_clause | trim | replace('order by', '', 1) | trim -%}
        {%- if ' desc' in keys | lower -%}
            {{ exceptions.raise_compiler_error('listagg on Spark sorts ascending only: ' ~ order_by_clause) }}
        {%- endif -%}
        {%- set fields = [] -%}
        {%- for key in keys.split(',') -%}
            {%- do fields.append("'k" ~ loop.index ~ "', " ~ (key | replace(' asc', '') | trim)) -%}
        {%- endfor -%}
        array_join(transform(array_sort(collect_list(named_struct({{ fields | join(', ') }}, 'v', {{ measure }}))), e -> e.v), {{ delimiter_text }})
    {%- endif -%}
{%- endmacro %}

{#- Seeds on Spark: dbt-spark's session cursor pastes each binding between quotes unescaped, so a
    value with an apostrophe ("New Year's Day") breaks the statement and an empty cell arrives as
    the text 'None'. Here every value is a literal: NULL, or a quoted string with backslashes and
    quotes escaped, cast to the column's type as dbt-spark does. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{#- A day count as the contracts declare it (BIGINT): DuckDB's datediff already is one, Postgres's
    date subtraction is an integer its contracts accept; Spark's datediff is INT. -#}
{% macro day_count(expression) -%}
    {{ return(adapter.dispatch('day_count', 'xunpan')(expression)) }}
{%- endmacro %}

{% macro default__day_count(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro spark__day_count(expression) -%}
    cast({{ expression }} as bigint)
{%- endmacro %}
