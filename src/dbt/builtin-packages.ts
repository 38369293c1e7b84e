// sf's own versions of the most used macros of dbt_utils and dbt_date, loaded under those
// names when the project has no such package installed (dbt_packages/). Written for sf in the
// Jinja dbt packages use, they follow the packages' documented behaviour and produce the same
// SQL shapes (conformance/dbt-utils-builtin.test.ts compares results on every engine, and with
// the real package where one is at hand). Macros that read the warehouse (star,
// get_column_values, union_relations, date_spine) ask it as the package's would.

export interface BuiltinPackage {
  readonly name: string;
  readonly files: readonly { readonly path: string; readonly source: string }[];
  /** Other built-in packages its macros call. */
  readonly uses?: readonly string[];
}

const DBT_UTILS_SQL = String.raw`
{% macro generate_surrogate_key(field_list) -%}
  {{ return(adapter.dispatch('generate_surrogate_key', 'dbt_utils')(field_list)) }}
{%- endmacro %}

{% macro default__generate_surrogate_key(field_list) -%}
  {%- set null_text = '' if var('surrogate_key_treat_nulls_as_empty_strings', False) else '_dbt_utils_surrogate_key_null_' -%}
  {%- set parts = [] -%}
  {%- for field in field_list -%}
    {%- do parts.append("coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '" ~ null_text ~ "')") -%}
    {%- if not loop.last %}{% do parts.append("'-'") %}{% endif -%}
  {%- endfor -%}
  {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{% macro surrogate_key(field_list) -%}
  {{ exceptions.raise_compiler_error("dbt_utils.surrogate_key was replaced by dbt_utils.generate_surrogate_key (which treats nulls differently); call that instead") }}
{%- endmacro %}

{% macro _is_relation(obj, macro) -%}
  {%- if not (obj is mapping and obj.get('metadata', {}).get('type', '').endswith('Relation')) -%}
    {%- do exceptions.raise_compiler_error("Macro " ~ macro ~ " expected a Relation but received the value: " ~ obj) -%}
  {%- endif -%}
{%- endmacro %}

{% macro _is_ephemeral(obj, macro) -%}
  {%- if obj.is_cte -%}
    {%- do exceptions.raise_compiler_error("The " ~ macro ~ " macro cannot be used with ephemeral models: " ~ obj.name ~ " is one; make it a view or a table") -%}
  {%- endif -%}
{%- endmacro %}

{% macro get_filtered_columns_in_relation(from, except=[]) -%}
  {{ return(adapter.dispatch('get_filtered_columns_in_relation', 'dbt_utils')(from, except)) }}
{%- endmacro %}

{% macro default__get_filtered_columns_in_relation(from, except=[]) -%}
  {%- do dbt_utils._is_relation(from, 'get_filtered_columns_in_relation') -%}
  {%- do dbt_utils._is_ephemeral(from, 'get_filtered_columns_in_relation') -%}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set skipped = except | map('lower') | list -%}
  {%- set kept = [] -%}
  {%- for col in adapter.get_columns_in_relation(from) -%}
    {%- if col.column | lower not in skipped %}{% do kept.append(col.column) %}{% endif -%}
  {%- endfor -%}
  {{ return(kept) }}
{%- endmacro %}

{% macro star(from, relation_alias=False, except=[], prefix='', suffix='', quote_identifiers=True) -%}
  {{ return(adapter.dispatch('star', 'dbt_utils')(from, relation_alias, except, prefix, suffix, quote_identifiers)) }}
{%- endmacro %}

{% macro default__star(from, relation_alias=False, except=[], prefix='', suffix='', quote_identifiers=True) -%}
  {%- do dbt_utils._is_relation(from, 'star') -%}
  {%- do dbt_utils._is_ephemeral(from, 'star') -%}
  {%- if not execute -%}{{ return('*') }}{%- endif -%}
  {%- set cols = dbt_utils.get_filtered_columns_in_relation(from, except) -%}
  {%- if cols | length == 0 -%}{{ return('*') }}{%- endif -%}
  {%- for col in cols -%}
    {%- if relation_alias %}{{ relation_alias }}.{% endif -%}
    {%- if quote_identifiers %}{{ adapter.quote(col) | trim }}{% else %}{{ col | trim }}{% endif -%}
    {%- if prefix != '' or suffix != '' %} as {% if quote_identifiers %}{{ adapter.quote(prefix ~ col ~ suffix) | trim }}{% else %}{{ prefix ~ col ~ suffix }}{% endif %}{% endif -%}
    {%- if not loop.last %},{{ '\n  ' }}{% endif -%}
  {%- endfor -%}
{%- endmacro %}

{% macro get_column_values(table, column, order_by='count(*) desc', max_records=none, default=none, where=none) -%}
  {{ return(adapter.dispatch('get_column_values', 'dbt_utils')(table, column, order_by, max_records, default, where)) }}
{%- endmacro %}

{% macro default__get_column_values(table, column, order_by='count(*) desc', max_records=none, default=none, where=none) -%}
  {%- if not execute -%}{{ return(default if default else []) }}{%- endif -%}
  {%- do dbt_utils._is_ephemeral(table, 'get_column_values') -%}
  {%- if load_relation(table) is none -%}
    {%- if default is none -%}
      {{ exceptions.raise_compiler_error("In get_column_values(): relation " ~ table ~ " does not exist and no default value was provided.") }}
    {%- endif -%}
    {{ return(default) }}
  {%- endif -%}
  {%- call statement('get_column_values', fetch_result=True) -%}
    select {{ column }} as value
    from {{ table }}
    {% if where is not none %}where {{ where }}{% endif %}
    group by {{ column }}
    order by {{ order_by }}
    {% if max_records is not none %}limit {{ max_records }}{% endif %}
  {%- endcall -%}
  {%- set result = load_result('get_column_values') -%}
  {%- if result and result['data'] -%}
    {{ return(result['data'] | map(attribute=0) | list) }}
  {%- endif -%}
  {{ return(default) }}
{%- endmacro %}

{% macro pivot(column, values, alias=True, agg='sum', cmp='=', prefix='', suffix='', then_value=1, else_value=0, quote_identifiers=True, distinct=False) -%}
  {{ return(adapter.dispatch('pivot', 'dbt_utils')(column, values, alias, agg, cmp, prefix, suffix, then_value, else_value, quote_identifiers, distinct)) }}
{%- endmacro %}

{% macro default__pivot(column, values, alias=True, agg='sum', cmp='=', prefix='', suffix='', then_value=1, else_value=0, quote_identifiers=True, distinct=False) -%}
  {%- for value in values %}
    {{ agg }}({% if distinct %}distinct {% endif %}case when {{ column }} {{ cmp }} '{{ dbt.escape_single_quotes(value) }}' then {{ then_value }} else {{ else_value }} end)
    {%- if alias %} as {% if quote_identifiers %}{{ adapter.quote(prefix ~ value ~ suffix) }}{% else %}{{ dbt_utils.slugify(prefix ~ value ~ suffix) }}{% endif %}{% endif -%}
    {%- if not loop.last %},{% endif %}
  {%- endfor %}
{%- endmacro %}

{% macro slugify(string) -%}
  {%- set s = modules.re.sub('[ -]+', '_', string | lower) -%}
  {%- set s = modules.re.sub('[^a-z0-9_]+', '', s) -%}
  {{ return('_' ~ s if modules.re.match('[0-9]', s) else s) }}
{%- endmacro %}

{% macro union_relations(relations, column_override=none, include=[], exclude=[], source_column_name='_dbt_source_relation', where=none) -%}
  {{ return(adapter.dispatch('union_relations', 'dbt_utils')(relations, column_override, include, exclude, source_column_name, where)) }}
{%- endmacro %}

{% macro default__union_relations(relations, column_override=none, include=[], exclude=[], source_column_name='_dbt_source_relation', where=none) -%}
  {%- if exclude and include -%}
    {{ exceptions.raise_compiler_error("union_relations: give include or exclude, not both") }}
  {%- endif -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {%- set overrides = column_override if column_override is not none else {} -%}
  {%- set included = include | map('lower') | list -%}
  {%- set excluded = exclude | map('lower') | list -%}
  {%- set per_relation = {} -%}
  {%- set superset = {} -%}
  {%- set order = [] -%}
  {%- for relation in relations -%}
    {%- do dbt_utils._is_relation(relation, 'union_relations') -%}
    {%- do dbt_utils._is_ephemeral(relation, 'union_relations') -%}
    {%- set names = [] -%}
    {%- for col in adapter.get_columns_in_relation(relation) -%}
      {%- set key = col.column | lower -%}
      {%- if (excluded and key in excluded) or (included and key not in included) -%}
      {%- else -%}
        {%- do names.append(key) -%}
        {%- if key not in superset -%}
          {%- do superset.update({key: col}) -%}{%- do order.append(key) -%}
        {%- elif col.is_string() and superset[key].is_string() and col.string_size() > superset[key].string_size() -%}
          {%- do superset.update({key: col}) -%}
        {%- endif -%}
      {%- endif -%}
    {%- endfor -%}
    {%- set relation_key = relation.schema ~ '.' ~ relation.identifier -%}
    {%- do per_relation.update({relation_key: names}) -%}
  {%- endfor -%}
  {%- if (included or excluded) and not order -%}
    {{ exceptions.raise_compiler_error("There were no columns found to union for relations " ~ (relations | map(attribute='name') | join(', '))) }}
  {%- endif -%}
  {%- for relation in relations %}
    {#- No parentheses around each select: SQLite refuses them in a union. #}
    select
      cast({{ dbt.string_literal(relation) }} as {{ dbt.type_string() }}) as {{ adapter.quote(source_column_name) }},
      {%- for key in order %}
      {%- set col = superset[key] %}
      cast({{ adapter.quote(col.column) if key in per_relation[relation.schema ~ '.' ~ relation.identifier] else 'null' }} as {{ overrides.get(col.column, col.data_type or dbt.type_string()) }}) as {{ col.quoted }}{% if not loop.last %},{% endif %}
      {%- endfor %}
    from {{ relation }}
    {% if where %}where {{ where }}{% endif %}
    {% if not loop.last %}union all{% endif %}
  {%- endfor %}
{%- endmacro %}

{% macro get_intervals_between(start_date, end_date, datepart) -%}
  {{ return(adapter.dispatch('get_intervals_between', 'dbt_utils')(start_date, end_date, datepart)) }}
{%- endmacro %}

{% macro default__get_intervals_between(start_date, end_date, datepart) -%}
  {%- call statement('get_intervals_between', fetch_result=True) -%}
    select {{ dbt.datediff(start_date, end_date, datepart) }}
  {%- endcall -%}
  {%- set result = load_result('get_intervals_between') -%}
  {%- if result and result['data'] -%}{{ return(result['data'][0][0] | int) }}{%- endif -%}
  {{ return(1) }}
{%- endmacro %}

{% macro get_powers_of_two(upper_bound) -%}
  {%- if upper_bound <= 0 -%}{{ exceptions.raise_compiler_error("upper bound must be positive") }}{%- endif -%}
  {%- for n in range(1, 100) -%}
    {%- if upper_bound <= 2 ** n %}{{ return(n) }}{% endif -%}
  {%- endfor -%}
{%- endmacro %}

{% macro generate_series(upper_bound) -%}
  {{ return(adapter.dispatch('generate_series', 'dbt_utils')(upper_bound)) }}
{%- endmacro %}

{% macro default__generate_series(upper_bound) -%}
  {%- set n = dbt_utils.get_powers_of_two(upper_bound) %}
  with p as (
    select 0 as generated_number union all select 1
  ), unioned as (
    select
    {% for i in range(n) %}p{{ i }}.generated_number * power(2, {{ i }}){% if not loop.last %} + {% endif %}{% endfor %}
    + 1 as generated_number
    from {% for i in range(n) %}p as p{{ i }}{% if not loop.last %} cross join {% endif %}{% endfor %}
  )
  select * from unioned
  where generated_number <= {{ upper_bound }}
  order by generated_number
{%- endmacro %}

{% macro date_spine(datepart, start_date, end_date) -%}
  {{ return(adapter.dispatch('date_spine', 'dbt_utils')(datepart, start_date, end_date)) }}
{%- endmacro %}

{% macro default__date_spine(datepart, start_date, end_date) %}
with rawdata as (
  {{ dbt_utils.generate_series(dbt_utils.get_intervals_between(start_date, end_date, datepart)) }}
),
all_periods as (
  select ({{ dbt.dateadd(datepart, 'row_number() over (order by generated_number) - 1', start_date) }}) as date_{{ datepart }}
  from rawdata
),
filtered as (
  select * from all_periods
  where date_{{ datepart }} <= {{ end_date }}
)
select * from filtered
{% endmacro %}

{% macro safe_add(field_list) -%}
  {%- if field_list is string or field_list is not iterable -%}
    {{ exceptions.raise_compiler_error("safe_add takes a list of fields, e.g. ['a', 'b']") }}
  {%- endif -%}
  {%- set parts = [] -%}{%- for f in field_list %}{% do parts.append('coalesce(' ~ f ~ ', 0)') %}{% endfor -%}
  {{ parts | join(' +\n  ') }}
{%- endmacro %}

{% macro safe_subtract(field_list) -%}
  {%- set parts = [] -%}{%- for f in field_list %}{% do parts.append('coalesce(' ~ f ~ ', 0)') %}{% endfor -%}
  {{ parts | join(' -\n  ') }}
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
  ( {{ numerator }} ) / nullif( ( {{ denominator }} ), 0)
{%- endmacro %}

{% macro group_by(n) -%}
  group by {% for i in range(1, n + 1) %}{{ i }}{% if not loop.last %},{% endif %}{% endfor %}
{%- endmacro %}

{% macro get_single_value(sql_statement, default=none) -%}
  {%- if not execute -%}{{ return(default) }}{%- endif -%}
  {%- set table = run_query(sql_statement) -%}
  {%- if table.rows | length == 0 -%}{{ return(default) }}{%- endif -%}
  {{ return(table.rows[0][0]) }}
{%- endmacro %}

{% macro deduplicate(relation, partition_by, order_by) -%}
  {{ return(adapter.dispatch('deduplicate', 'dbt_utils')(relation, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__deduplicate(relation, partition_by, order_by) %}
  with row_numbered as (
    select _inner.*, row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as rn
    from {{ relation }} as _inner
  )
  select distinct data.*
  from {{ relation }} as data
  natural join row_numbered
  where row_numbered.rn = 1
{% endmacro %}
`;

// Generic tests, as `{% test %}` blocks (dbt_utils.expression_is_true is sf's own `expression`
// test, which can also quarantine rows).
const DBT_UTILS_TESTS = String.raw`
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
with meet_condition as (
  select * from {{ model }}
),
validation_errors as (
  select * from meet_condition
  where 1 = 2
  {%- if min_value is not none %}
    or not {{ column_name }} >{{ '=' if inclusive }} {{ min_value }}
  {%- endif %}
  {%- if max_value is not none %}
    or not {{ column_name }} <{{ '=' if inclusive }} {{ max_value }}
  {%- endif %}
)
select * from validation_errors
{% endtest %}

{% test not_null_proportion(model, column_name, at_least, at_most=1.0, group_by_columns=[]) %}
{%- set groups = group_by_columns | join(', ') -%}
with validation as (
  select
    {% if groups %}{{ groups }},{% endif %}
    sum(case when {{ column_name }} is null then 0 else 1 end) / cast(count(*) as {{ dbt.type_numeric() }}) as not_null_proportion
  from {{ model }}
  {% if groups %}group by {{ groups }}{% endif %}
),
validation_errors as (
  select {% if groups %}{{ groups }},{% endif %} not_null_proportion
  from validation
  where not_null_proportion < {{ at_least }} or not_null_proportion > {{ at_most }}
)
select * from validation_errors
{% endtest %}

{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
{%- set columns = [] -%}
{%- for c in combination_of_columns %}{% do columns.append(adapter.quote(c) if quote_columns else c) %}{% endfor -%}
{%- set column_list = columns | join(', ') -%}
with validation_errors as (
  select {{ column_list }}
  from {{ model }}
  group by {{ column_list }}
  having count(*) > 1
)
select * from validation_errors
{% endtest %}

{% test equality(model, compare_model, compare_columns=none, exclude_columns=none, precision=none) %}
{%- if not execute -%}{{ return('') }}{%- endif -%}
{%- if compare_columns is none -%}
  {%- set skipped = (exclude_columns or []) | map('lower') | list -%}
  {%- set compare_columns = [] -%}
  {%- for col in adapter.get_columns_in_relation(model) -%}
    {%- if col.column | lower not in skipped %}{% do compare_columns.append(col.quoted) %}{% endif -%}
  {%- endfor -%}
{%- endif -%}
{%- set cols = compare_columns | join(', ') -%}
with a as (
  select * from {{ model }}
),
b as (
  select * from {{ compare_model }}
),
a_minus_b as (
  select {{ cols }} from a
  {{ dbt.except() }}
  select {{ cols }} from b
),
b_minus_a as (
  select {{ cols }} from b
  {{ dbt.except() }}
  select {{ cols }} from a
),
unioned as (
  select 'a_minus_b' as which_diff, a_minus_b.* from a_minus_b
  union all
  select 'b_minus_a' as which_diff, b_minus_a.* from b_minus_a
)
select * from unioned
{% endtest %}
`;

const DBT_DATE_SQL = String.raw`
{% macro get_base_dates(start_date=none, end_date=none, n_dateparts=none, datepart='day') -%}
  {{ return(adapter.dispatch('get_base_dates', 'dbt_date')(start_date, end_date, n_dateparts, datepart)) }}
{%- endmacro %}

{% macro default__get_base_dates(start_date, end_date, n_dateparts, datepart) %}
{%- if start_date and end_date -%}
  {%- set start_date = "cast('" ~ start_date ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
  {%- set end_date = "cast('" ~ end_date ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
{%- elif n_dateparts and datepart -%}
  {%- set start_date = dbt.dateadd(datepart, -1 * n_dateparts, 'cast(' ~ dbt.current_timestamp() ~ ' as date)') -%}
  {%- set end_date = dbt.dateadd('day', 1, 'cast(' ~ dbt.current_timestamp() ~ ' as date)') -%}
{%- else -%}
  {{ exceptions.raise_compiler_error("get_base_dates needs start_date and end_date, or n_dateparts and datepart") }}
{%- endif %}
with date_spine as (
  {{ dbt_utils.date_spine(datepart=datepart, start_date=start_date, end_date=end_date) }}
)
select cast(d.date_{{ datepart }} as {{ dbt.type_timestamp() }}) as date_{{ datepart }}
from date_spine d
{% endmacro %}
`;

export const BUILTIN_PACKAGES: readonly BuiltinPackage[] = [
  { name: 'dbt_utils', files: [{ path: 'sf-builtin/dbt_utils/macros.sql', source: DBT_UTILS_SQL }, { path: 'sf-builtin/dbt_utils/tests.sql', source: DBT_UTILS_TESTS }] },
  { name: 'dbt_date', files: [{ path: 'sf-builtin/dbt_date/macros.sql', source: DBT_DATE_SQL }], uses: ['dbt_utils'] },
];

/**
 * The built-in packages a project needs: those its files name (`dbt_utils.` in a model, a macro
 * or a property file) and that are not installed. Loaded only then, so a project that uses
 * none pays nothing for them.
 */
export function builtinPackagesFor(texts: readonly string[], installed: ReadonlySet<string>): BuiltinPackage[] {
  const wanted = new Set(BUILTIN_PACKAGES.filter((b) => texts.some((t) => t.includes(`${b.name}.`))).map((b) => b.name));
  for (const b of BUILTIN_PACKAGES) if (wanted.has(b.name)) for (const used of b.uses ?? []) wanted.add(used);
  return BUILTIN_PACKAGES.filter((b) => wanted.has(b.name) && !installed.has(b.name));
}
