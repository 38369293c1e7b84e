// The SQLite ledger checksum's row hash is FNV-1a 64 over a typed encoding, computed in 32-bit
// halves for speed: it must give exactly what the plain 64-bit definition gives (ledgers written
// by earlier versions keep their checksums), for every kind of value SQLite hands back.
import { describe, expect, it } from 'vitest';
import { rowChecksum } from './row-checksum.js';

/** The definition, in BigInt arithmetic. */
function reference(values: readonly unknown[]): bigint {
  let h = 0xcbf29ce484222325n;
  for (const v of values) {
    const text = v === null || v === undefined ? '' : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v);
    const tag = v === null || v === undefined ? 'n' : typeof v === 'string' ? 's' : v instanceof Uint8Array ? 'b' : 'x';
    for (const c of `${tag}${text.length}:${text}`) {
      for (let i = 0; i < c.length; i++) h = ((h ^ BigInt(c.charCodeAt(i))) * 0x100000001b3n) & 0xffff_ffff_ffff_ffffn;
    }
  }
  return h;
}

describe('rowChecksum', () => {
  it('equals FNV-1a 64 of the typed encoding for numbers, text, unicode, blobs, nulls and big integers', () => {
    const rows: unknown[][] = [[], [null], [''], [0], ['0'], [undefined, null]];
    for (let i = 0; i < 3000; i++) {
      rows.push([i, i * 7919 - 1e6, i / 7, `x${i}`, '2026-06-01', 'ünï☃😀'.repeat(i % 4), new Uint8Array([i & 255, 0, 255]), 2n ** 62n + BigInt(i), i % 5 ? null : -0.5]);
    }
    for (const row of rows) expect(rowChecksum(row)).toBe(reference(row));
  });

  it('tells apart values that print alike in a different type or split', () => {
    expect(rowChecksum([1])).not.toBe(rowChecksum(['1']));
    expect(rowChecksum(['a', 'b|c'])).not.toBe(rowChecksum(['a|b', 'c']));
    expect(rowChecksum([null])).not.toBe(rowChecksum(['']));
    // The value the BigInt version (before 2026-12-01) gave: a change of definition cannot pass unnoticed.
    expect(rowChecksum([1, 'a', null]).toString(16)).toBe('269dd3186776ea66');
  });
});
