// How Jinja prints values, which dbt templates rely on: `{{ ('a', 'b') }}` prints `('a', 'b')`
// (valid SQL after `in`), a list `['a', 'b']`, a dict `{'k': 1}`, None `None`, booleans `True`
// and `False`; `~` joins the same forms. Nunjucks printed JavaScript's (a,b / [object Object] /
// true / nothing for null). An undefined name prints nothing, as Jinja's Undefined does.

const TUPLE = Symbol('sf.tuple');
const SET = Symbol('sf.set');

/** Python's set(): the distinct items, as a list that prints as `{a, b}` and compares unordered. */
export function pySet(items: unknown = []): unknown[] {
  const values = Array.isArray(items) ? items : items === null || items === undefined ? [] : [...(items as Iterable<unknown>)];
  const out: unknown[] = [];
  for (const v of values) if (!out.some((o) => pyEquals(o, v))) out.push(v);
  Object.defineProperty(out, SET, { value: true });
  return out;
}

/** Python's ==: lists, tuples and dicts by their items, sets regardless of order; the rest as Nunjucks compared. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    if ((a as unknown as Record<symbol, unknown>)[SET] || (b as unknown as Record<symbol, unknown>)[SET]) return a.every((x) => b.some((y) => pyEquals(x, y)));
    return a.every((x, i) => pyEquals(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => pyEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a == b;
}

/** A Python tuple: a list that prints as `(a, b)`. */
export function pyTuple(items: unknown[]): unknown[] {
  Object.defineProperty(items, TUPLE, { value: true });
  return items;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Python's repr(): strings quoted, containers with their items' reprs. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string' || v instanceof String) {
    const s = String(v);
    return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(v)) {
    const items = v.map(pyRepr);
    const marks = v as unknown as Record<symbol, unknown>;
    if (marks[SET]) return items.length ? `{${items.join(', ')}}` : 'set()';
    return marks[TUPLE] ? `(${items.join(', ')}${items.length === 1 ? ',' : ''})` : `[${items.join(', ')}]`;
  }
  if (typeof v === 'object' && isPlainObject(v) && !Object.prototype.hasOwnProperty.call(v, 'toString')) {
    return `{${Object.entries(v).filter(([k]) => k !== '__keywords').map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  }
  return String(v);
}

/** Python's str(), as `{{ }}` prints: text as it is, everything else as repr (undefined: nothing). */
export function pyPrintable(v: unknown): unknown {
  if (v === undefined) return '';
  if (v === null || typeof v === 'boolean' || Array.isArray(v)) return pyRepr(v);
  if (typeof v === 'object' && isPlainObject(v) && !Object.prototype.hasOwnProperty.call(v, 'toString')) return pyRepr(v);
  return v;
}
