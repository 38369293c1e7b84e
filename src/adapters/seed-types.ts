// The portable type sf infers for a seed column, and the test that a value fits a type
// inferred from the file's first rows. Inference reads a bounded sample so a large seed is
// never held in memory; the loaders then check every later value of a sampled column with
// `fitsInferred` (JavaScript loaders) or `fitsInferredSql` (DuckDB, which reads the file
// itself). A value that does not fit means the whole file infers another type: the loader
// throws SampleTooNarrow and the seed is loaded again with types inferred from every row, so
// the table's types never depend on where the sample ended.

export type Cell = string | null;

const INT = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d*)\.(\d+)$/;
const DOUBLE = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const BOOL = /^(true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
const INT32_MAX = 2_147_483_647;
const INT64_MIN = -9_223_372_036_854_775_808n;
const INT64_MAX = 9_223_372_036_854_775_807n;

/** A value that counts for inference: NULL and a quoted empty string say nothing about the type. */
function present(v: Cell): v is string {
  return v !== null && v !== '';
}

/** Digits before and after the point of an integer or decimal literal, leading zeros not counted. */
function digits(v: string): { whole: number; scale: number } {
  const [whole = '', frac = ''] = v.replace(/^[-+]/, '').split('.');
  return { whole: whole.replace(/^0+(?=\d)/, '').length, scale: frac.length };
}

function isRealDate(v: string): boolean {
  const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * The narrowest portable type that holds every value added, in constant memory: boolean,
 * integer, bigint, decimal(18|38, s), double, date, timestamp, else text.
 */
export class TypeInference {
  #any = false;
  #bool = true;
  #int = true;
  #fits32 = true;
  #fits64 = true;
  #numeric = true;
  #whole = 1;
  #scale = 0;
  #double = true;
  #date = true;
  #timestamp = true;

  add(v: Cell): void {
    if (!present(v)) return;
    this.#any = true;
    if (this.#bool && !BOOL.test(v)) this.#bool = false;
    const int = INT.test(v);
    if (this.#int && !int) this.#int = false;
    if (this.#int) {
      if (this.#fits32 && Math.abs(Number(v)) > INT32_MAX) this.#fits32 = false;
      if (!this.#fits32 && this.#fits64) {
        const n = BigInt(v);
        if (n > INT64_MAX || n < INT64_MIN) this.#fits64 = false;
      }
    }
    if (this.#numeric) {
      if (int || DECIMAL.test(v)) {
        const d = digits(v);
        this.#whole = Math.max(this.#whole, d.whole);
        this.#scale = Math.max(this.#scale, d.scale);
      } else {
        this.#numeric = false;
      }
    }
    if (this.#double && !DOUBLE.test(v)) this.#double = false;
    if (this.#date && !(DATE.test(v) && isRealDate(v))) this.#date = false;
    if (this.#timestamp && !(TIMESTAMP.test(v) && isRealDate(v))) this.#timestamp = false;
  }

  /** True until a value that counts has been added. */
  get empty(): boolean {
    return !this.#any;
  }

  get type(): string {
    if (!this.#any) return 'text';
    if (this.#bool) return 'boolean';
    const size = this.#whole + this.#scale;
    if (this.#int && (this.#fits64 || size <= 38)) return this.#fits32 ? 'integer' : this.#fits64 ? 'bigint' : 'decimal(38,0)';
    if (this.#numeric && !this.#int && size <= 38) return `decimal(${size <= 18 ? 18 : 38},${this.#scale})`;
    if (this.#double) return 'double';
    if (this.#date) return 'date';
    if (this.#timestamp) return 'timestamp';
    return 'text';
  }
}

/** The narrowest portable type that holds every value that counts (see TypeInference). */
export function inferType(values: readonly Cell[]): string {
  const inference = new TypeInference();
  for (const v of values) inference.add(v);
  return inference.type;
}

/**
 * What a sampled column's later values must satisfy: the type inferred from the sample, or
 * 'empty' when the sample had no value that counts (then any value that counts may narrow it).
 */
export function sampleRule(inference: TypeInference): string {
  return inference.empty ? 'empty' : inference.type;
}

const DECIMAL_TYPE = /^decimal\((\d+),(\d+)\)$/;

/** A test that a value keeps whole-file inference on `rule` (see sampleRule). */
export function fitsInferred(rule: string): (v: Cell) => boolean {
  const decimal = DECIMAL_TYPE.exec(rule);
  if (decimal) {
    // One pattern, the same DuckDB's check uses: far cheaper than measuring each value.
    const pattern = new RegExp(`^(?:${decimalPattern(Number(decimal[1]) - Number(decimal[2]), Number(decimal[2]))})$`);
    return (v) => !present(v) || pattern.test(v);
  }
  const test = RULES[rule];
  if (!test) throw new Error(`no inference rule for '${rule}'`);
  return (v) => !present(v) || test(v);
}

const RULES: Record<string, (v: string) => boolean> = {
  empty: () => false,
  text: () => true,
  boolean: (v) => BOOL.test(v),
  integer: (v) => INT.test(v) && Math.abs(Number(v)) <= INT32_MAX,
  bigint: (v) => INT.test(v) && BigInt(v) >= INT64_MIN && BigInt(v) <= INT64_MAX,
  double: (v) => DOUBLE.test(v),
  date: (v) => DATE.test(v) && isRealDate(v),
  timestamp: (v) => TIMESTAMP.test(v) && isRealDate(v),
};

/** Thrown by a loader when a sampled column meets a value outside its sampled type. */
export class SampleTooNarrow extends Error {
  override readonly name = 'SampleTooNarrow';
  constructor(readonly column: string) {
    super(`a value of seed column '${column}' does not fit the type inferred from the file's first rows`);
  }
}

/** The marker DuckDB's error() carries out of a load, naming the column (see fitsInferredSql). */
export const TOO_NARROW_MARKER = 'sf-sample-too-narrow:';

/**
 * DuckDB SQL for the sampled column `expr` (read as text): the value cast to `type` when it
 * fits `rule`, else an error naming the column. Conservative: any doubt (a quoted empty value
 * in a typed column, say) also errors, and the whole-file load that follows reports it.
 */
export function fitsInferredSql(rule: string, type: string, expr: string, column: string): string {
  const fail = `error('${TOO_NARROW_MARKER}' || ${sqlString(column)})`;
  if (rule === 'text') return expr;
  if (rule === 'empty') return `case when ${expr} is null or ${expr} = '' then ${expr} else ${fail} end`;
  const decimal = DECIMAL_TYPE.exec(rule);
  const pattern = decimal ? decimalPattern(Number(decimal[1]) - Number(decimal[2]), Number(decimal[2])) : SQL_PATTERNS[rule];
  if (!pattern) throw new Error(`no inference rule for '${rule}'`);
  return `case when ${expr} is null then null else coalesce(case when regexp_full_match(${expr}, ${sqlString(pattern)}) then try_cast(${expr} as ${type}) end, ${fail}) end`;
}

/** An integer or decimal literal with at most `whole` digits before the point (leading zeros aside) and `scale` after. */
function decimalPattern(whole: number, scale: number): string {
  const int = `\\d{1,${whole}}`;
  return `[-+]?0*(${scale ? `${int}|\\d{0,${whole}}\\.\\d{1,${scale}}` : int})`;
}

/** RE2 forms of the inference patterns; ranges and real dates are left to try_cast. */
const SQL_PATTERNS: Record<string, string> = {
  boolean: '(?i)true|false',
  integer: '[-+]?\\d+',
  bigint: '[-+]?\\d+',
  double: '(?i)[-+]?(\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?',
  date: '\\d{4}-\\d{2}-\\d{2}',
  timestamp: '\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?',
};

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
