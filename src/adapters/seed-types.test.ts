import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { fitsInferred, fitsInferredSql, inferType, sampleRule, TypeInference } from './seed-types.js';

const SAMPLES: readonly (readonly string[])[] = [
  ['1', '-2'], ['1', '3000000000'], ['1.50', '-0.125'], ['99999999999999999.5'], ['1e3'], ['true', 'FALSE'],
  ['2026-05-01'], ['2026-05-01 10:00:00'], ['a'], [''], ['12345678901234567890'],
];
const LATER: readonly string[] = [
  '', '0', '7', '-8', '+9', '007', '2147483648', '-9223372036854775808', '9223372036854775808', '1.5', '.5', '00.25', '1.',
  '1.2345', '123456789012345678.5', '1' + '0'.repeat(40), '1e5', '-2.5E-3', 'true', 'True', 'yes', '1', '2026-02-29', '2024-02-29',
  '2026-05-01 10:00', '2026-05-01T10:00:00.123456', '2026/05/01', 'abc', ' 1', 'NaN',
];

describe('a value fits a sampled type exactly when whole-file inference keeps that type', () => {
  it.each(SAMPLES.map((s) => [s]))('sample %j', (sample) => {
    const inference = new TypeInference();
    for (const v of sample) inference.add(v);
    const rule = sampleRule(inference);
    const fits = fitsInferred(rule);
    for (const later of LATER) {
      const whole = inferType([...sample, later]);
      const keeps = rule === 'empty' ? inferType([later]) === 'text' && !later : whole === inference.type;
      expect(fits(later), `${rule} with '${later}' (whole file: ${whole})`).toBe(keeps);
    }
  });
});

describe('the DuckDB form of the test agrees with the JavaScript one', () => {
  it('on every sample type and later value', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      for (const sample of SAMPLES) {
        const inference = new TypeInference();
        for (const v of sample) inference.add(v);
        const rule = sampleRule(inference);
        const type = rule === 'empty' ? 'varchar' : inference.type.replace(/^text$/, 'varchar');
        for (const later of LATER) {
          const literal = `'${later}'::varchar`;
          const passes = await db.run(`select ${fitsInferredSql(rule, type, literal, 'v')}`).then(() => true, () => false);
          // Conservative only where the load would refuse the value anyway (a quoted empty in a typed column).
          const expected = fitsInferred(rule)(later) && !(later === '' && rule !== 'text' && rule !== 'empty');
          expect(passes, `${rule} with '${later}'`).toBe(expected);
        }
      }
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });
});
