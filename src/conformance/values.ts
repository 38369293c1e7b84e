// Engines hand values back differently: pg returns numeric and bigint as strings and dates as
// JS Dates, DuckDB (through our dialect) returns JSON text for decimals, bigints and dates,
// SQLite returns plain numbers. These helpers compare them exactly, as integers.

/** A value as a stable, comparable JSON-able form (for snapshots within one engine). */
export function normalizeValue(v: unknown): unknown {
  if (v instanceof Date) return `date:${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()}`;
  if (typeof v === 'bigint') return `bigint:${v}`;
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
  return v;
}

function plainNumberText(v: unknown, what: string): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${what}: not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'string') return v.trim();
  throw new Error(`${what}: expected a number, got ${v === null ? 'null' : typeof v} ${JSON.stringify(normalizeValue(v))}`);
}

/**
 * An exact decimal (number, numeric string or bigint) in units of 10^-scale, as a BigInt.
 * Throws when the value has more significant decimals than `scale` (0.30000000000000004 is
 * not a value to the cent), so float noise cannot hide.
 */
export function toScaled(v: unknown, scale: number): bigint {
  const text = plainNumberText(v, 'toScaled');
  const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a plain decimal: ${JSON.stringify(text)}`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > scale) throw new Error(`${text} has more than ${scale} decimals`);
  const abs = BigInt((m[2] || '0') + frac.padEnd(scale, '0'));
  return m[1] === '-' ? -abs : abs;
}

/** Money to the cent: 19.99 / '19.99' / '19.990' -> 1999n. */
export function toCents(v: unknown): bigint {
  return toScaled(v, 2);
}

/** A whole number from any engine's representation: 3 / '3' / 3n / '3.000' -> 3n. */
export function toBigInt(v: unknown): bigint {
  return toScaled(v, 0);
}

/** A whole number that fits a JS number. */
export function toInt(v: unknown): number {
  const b = toBigInt(v);
  if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`${b} does not fit a JS number`);
  return Number(b);
}
