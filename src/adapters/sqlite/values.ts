// CSV cells -> SQLite values, by the column's declared portable type. SQLite stores whatever
// it is given, so the checks DuckDB and PostgreSQL make while loading are made here, with the
// same outcome: a value the other engines reject fails the seed, and what is stored reads the
// same everywhere:
//   integer/bigint  -> integer (number, or bigint past 2^53)
//   decimal(p,s)    -> rounded half away from zero to s places (as the other engines do),
//                      stored as NUMERIC (exact up to 15 significant digits; the ShopFlow
//                      macros compute money in integer cents)
//   double/real     -> real
//   boolean         -> 1 / 0 (true/false, t/f, yes/no, y/n, on/off, 1/0; any case)
//   date            -> 'YYYY-MM-DD'
//   timestamp       -> 'YYYY-MM-DD HH:MM:SS[.fraction]' (a `T` becomes a space; a zone
//                      suffix is dropped, as timestamp-without-time-zone does elsewhere)
//   anything else   -> the text as it is
// An unquoted empty field is NULL everywhere; a quoted empty field is '' for text and an
// error for the other types (as in DuckDB's read_csv with allow_quoted_nulls = false).

export type SqliteValue = string | number | bigint | null;
/** Converts one cell; throws a `CellError` (message without the position) on a bad value. */
export type CellConverter = (value: string | null) => SqliteValue;

export class CellError extends Error {
  override readonly name = 'CellError';
}

const INT = /^[-+]?\d+$/;
const CANONICAL = /^(?:0|[1-9]\d*)\.\d+$/;
const NUMBER = /^([-+]?)(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(?:z|[+-]\d{2}(?::?\d{2})?)?$/i;
const TRUE = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', 'off', '0']);
const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;

export function converterFor(declared: string): CellConverter {
  const type = declared.trim().toLowerCase();
  const decimal = /^(?:decimal|numeric)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(type);
  if (decimal) {
    // PostgreSQL's bare `numeric` keeps every digit; DuckDB's bare `decimal` is (18,3).
    const precision = decimal[1] === undefined ? undefined : Number(decimal[1]);
    const scale = decimal[2] === undefined ? (precision === undefined ? undefined : 0) : Number(decimal[2]);
    return typed(type, (v) => toDecimal(v, precision, scale));
  }
  if (/^(?:integer|int|int2|int4|int8|bigint|smallint|tinyint|hugeint)$/.test(type)) return typed(type, toInteger);
  if (/^(?:double|double precision|real|float|float4|float8)$/.test(type)) return typed(type, toReal);
  if (type === 'boolean' || type === 'bool') return typed(type, toBoolean);
  if (type === 'date') return typed(type, toDate);
  if (type === 'timestamp' || type === 'datetime' || type === 'timestamp without time zone') return typed(type, toTimestamp);
  return (v) => v;
}

function typed(type: string, convert: (v: string) => SqliteValue): CellConverter {
  return (value) => {
    if (value === null) return null;
    const v = value.trim();
    if (v === '') throw new CellError(`an empty quoted value is not a valid ${type} (leave the field unquoted and empty for NULL)`);
    return convert(v);
  };
}

function invalid(v: string, what: string): CellError {
  return new CellError(`'${v}' is not a valid ${what}`);
}

function toInteger(v: string): number | bigint {
  if (!INT.test(v)) throw invalid(v, 'integer');
  if (v.length <= 15) return Number(v);
  const n = BigInt(v);
  if (n > INT64_MAX || n < INT64_MIN) throw new CellError(`${v} is out of the 64-bit integer range`);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function toReal(v: string): number {
  const lower = v.toLowerCase();
  if (lower === 'inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  const m = NUMBER.exec(v);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw invalid(v, 'number');
  return Number(v);
}

/** The decimal rounded half away from zero to `scale` places, as plain text (`9.30`). */
export function toDecimal(v: string, precision: number | undefined, scale: number | undefined): string {
  // Already canonical (`9.30` for scale 2, no sign, no leading zero): as it is, without BigInt.
  const point = v.indexOf('.');
  if (scale !== undefined && point > 0 && v.length - point - 1 === scale && CANONICAL.test(v) && (precision === undefined || point <= precision - scale)) return v;
  const m = NUMBER.exec(v);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw invalid(v, 'decimal');
  const negative = m[1] === '-';
  const whole = m[2] ?? '';
  const frac = m[3] ?? '';
  const exponent = Number(m[4] ?? 0);
  // digits * 10^(exponent - frac.length)
  let digits = BigInt(`${whole}${frac}` || '0');
  let shift = exponent - frac.length;
  if (scale !== undefined) {
    if (shift < -scale) {
      const divisor = 10n ** BigInt(-scale - shift);
      digits = (digits + divisor / 2n) / divisor; // half away from zero (digits >= 0 here)
      shift = -scale;
    }
    while (shift > -scale) {
      digits *= 10n;
      shift--;
    }
  } else if (shift > 0) {
    digits *= 10n ** BigInt(shift);
    shift = 0;
  }
  const places = -shift;
  const text = digits.toString().padStart(places + 1, '0');
  const intPart = places ? text.slice(0, -places) : text;
  if (precision !== undefined && intPart.replace(/^0+/, '').length > precision - (scale ?? 0)) {
    throw new CellError(`${v} does not fit decimal(${precision},${scale ?? 0})`);
  }
  const out = places ? `${intPart}.${text.slice(-places)}` : intPart;
  return negative && digits !== 0n ? `-${out}` : out;
}

function toBoolean(v: string): number {
  const lower = v.toLowerCase();
  if (TRUE.has(lower)) return 1;
  if (FALSE.has(lower)) return 0;
  throw invalid(v, 'boolean');
}

function toDate(v: string): string {
  const m = DATE.exec(v);
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw invalid(v, 'date');
  return v;
}

function toTimestamp(v: string): string {
  const m = TIMESTAMP.exec(v);
  const [, date = '', hh = '00', mi = '00', ss = '00', fraction = ''] = m ?? [];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  if (!m || !isRealDate(y, mo, d) || Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) {
    throw invalid(v, 'timestamp');
  }
  const trimmed = fraction.slice(0, 6).replace(/0+$/, '');
  return `${date} ${hh.padStart(2, '0')}:${mi}:${ss}${trimmed ? `.${trimmed}` : ''}`;
}

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d); // not Date.UTC: it maps years 0-99 to 1900-1999
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
