// How Jinja prints values, which dbt templates rely on: `{{ ('a', 'b') }}` prints `('a', 'b')`
// (valid SQL after `in`), a list `['a', 'b']`, a dict `{'k': 1}`, None `None`, booleans `True`
// and `False`; `~` joins the same forms. Nunjucks printed JavaScript's (a,b / [object Object] /
// true / nothing for null). An undefined name prints nothing, as Jinja's Undefined does.

const TUPLE = Symbol('sf.tuple');

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
    return (v as unknown as Record<symbol, unknown>)[TUPLE] ? `(${items.join(', ')}${items.length === 1 ? ',' : ''})` : `[${items.join(', ')}]`;
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
