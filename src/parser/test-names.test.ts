// Generic test names as dbt gives them (the names in jaffle_shop's dbt manifest and compiled files).
import { describe, expect, it } from 'vitest';
import { synthesizeTestName } from './test-names.js';

describe('synthesizeTestName', () => {
  it('names column tests <test>_<model>_<column>', () => {
    expect(synthesizeTestName('not_null', 'orders', false, { column_name: 'order_id' })).toEqual({ full: 'not_null_orders_order_id', short: 'not_null_orders_order_id' });
    expect(synthesizeTestName('unique', 'customers', false, { column_name: 'customer_id' }).full).toBe('unique_customers_customer_id');
  });

  it('joins argument values sorted by argument name, other characters as _', () => {
    expect(synthesizeTestName('relationships', 'orders', false, { to: "ref('customers')", field: 'customer_id', column_name: 'customer_id' }).full)
      .toBe('relationships_orders_customer_id__customer_id__ref_customers_');
    expect(synthesizeTestName('dbt_utils.expression_is_true', 'fact_sales', false, { column_name: 'quantity', expression: '> 0' }).full)
      .toBe('dbt_utils_expression_is_true_fact_sales_quantity___0');
  });

  it('keeps a name of 64 characters or more whole, with a short form of 30 characters and an md5 for relations', () => {
    const names = synthesizeTestName('accepted_values', 'stg_orders', false, { column_name: 'status', values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'] });
    expect(names.full).toBe('accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned');
    // jaffle_shop's compiled file for this test is accepted_values_stg_orders_4f514bf94b77b7ea437830eec4421c58.sql.
    expect(names.short).toBe('accepted_values_stg_orders_4f514bf94b77b7ea437830eec4421c58');
  });

  it('prefixes tests on sources with source_ and prints values as Python does', () => {
    expect(synthesizeTestName('unique', 'raw_orders', true, { column_name: 'id' }).full).toBe('source_unique_raw_orders_id');
    expect(synthesizeTestName('accepted_values', 't', false, { column_name: 'flag', values: [true, false], quote: false }).full).toBe('accepted_values_t_flag__False__True__False');
  });
});
