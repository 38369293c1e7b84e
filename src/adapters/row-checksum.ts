// A 64-bit hash of one row's values (FNV-1a over a typed encoding), for engines without a row
// hash of their own (SQLite). Summed over the rows modulo 2^64, it gives a checksum of a set of
// rows that does not depend on their order.
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffff_ffff_ffff_ffffn;

export function rowChecksum(values: readonly unknown[]): bigint {
  let h = OFFSET;
  const feed = (text: string) => {
    for (let i = 0; i < text.length; i++) h = ((h ^ BigInt(text.charCodeAt(i))) * PRIME) & MASK;
  };
  for (const v of values) {
    // Type tag, length, value: (1, '1') and ('1', 1) and ('a', 'b|c') hash apart.
    const text = v === null || v === undefined ? '' : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v);
    feed(`${v === null || v === undefined ? 'n' : typeof v === 'string' ? 's' : v instanceof Uint8Array ? 'b' : 'x'}${text.length}:${text}`);
  }
  return h;
}
