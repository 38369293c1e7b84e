// A project using dbt_utils' most used macros and tests: built with sf's own versions
// (dbt-utils-builtin.test.ts) and with the published package (dbt-utils-package.test.ts).

/** A date as each engine's SQL writes one. */
const DATE: Record<string, (d: string) => string> = {
  duckdb: (d) => `cast('${d}' as date)`,
  postgres: (d) => `cast('${d}' as date)`,
  sqlite: (d) => `'${d}'`,
};

/** Models and tests using dbt_utils' most used macros, for `engine`. */
export const dbtUtilsProject = (engine: string): Record<string, string> => ({
  'seeds/items.csv': 'id,color,size,amount\n1,red,S,10\n2,blue,S,\n3,red,M,5\n4,green,M,7\n',
  'seeds/items_b.csv': 'id,color,weight\n5,pink,1.5\n',
  'models/keyed.sql': "select {{ dbt_utils.generate_surrogate_key(['id', 'amount']) }} as sk,\n  {{ dbt_utils.star(ref('items'), except=['AMOUNT'], relation_alias='i') }}\nfrom {{ ref('items') }} as i",
  'models/pivoted.sql': "select size,\n  {{ dbt_utils.pivot('color', dbt_utils.get_column_values(ref('items'), 'color', order_by='color')) }}\nfrom {{ ref('items') }}\ngroup by size",
  'models/spine.sql': `{{ dbt_utils.date_spine('day', "${DATE[engine]!('2024-01-01')}", "${DATE[engine]!('2024-01-10')}") }}`,
  'models/unioned.sql': "{{ dbt_utils.union_relations([ref('items'), ref('items_b')]) }}",
  'models/safe.sql': "select {{ dbt_utils.safe_divide('amount', 'id - 2') }} as ratio, {{ dbt_utils.safe_add(['amount', 'id']) }} as total from {{ ref('items') }}",
  'models/_properties.yml': [
    'version: 2',
    'models:',
    '  - name: keyed',
    '    data_tests:',
    '      - dbt_utils.unique_combination_of_columns: {combination_of_columns: [id, color]}',
    '      - dbt_utils.equality: {compare_model: ref(\'items\'), compare_columns: [id, color, size]}',
    '      - dbt_utils.expression_is_true: {expression: "id > 0"}',
    '    columns:',
    '      - name: id',
    '        data_tests:',
    '          - dbt_utils.accepted_range: {min_value: 1, max_value: 3, config: {severity: warn}}',
    '  - name: unioned',
    '    columns:',
    '      - name: amount',
    '        data_tests:',
    '          - dbt_utils.not_null_proportion: {at_least: 0.9, config: {severity: warn}}',
  ].join('\n'),
});
