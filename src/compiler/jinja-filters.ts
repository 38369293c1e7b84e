// Jinja's filters that Nunjucks lacks or takes fewer arguments of, as dbt packages use them: map,
// unique, min, max, items, attr, format, and select/reject/selectattr/rejectattr with a test.
// Keyword arguments arrive as a trailing object marked __keywords.
import type nunjucks from 'nunjucks';

type Kwargs = Record<string, unknown> & { __keywords?: boolean };

function split(args: unknown[]): { positional: unknown[]; kw: Kwargs } {
  const last = args[args.length - 1] as Kwargs | undefined;
  if (last && typeof last === 'object' && last.__keywords) {
    const { __keywords: _k, ...kw } = last;
    return { positional: args.slice(0, -1), kw };
  }
  return { positional: args, kw: {} };
}

/** `attribute='a.b'` or an index: Jinja's attribute lookup, dotted paths included. */
function attribute(item: unknown, path: unknown): unknown {
  const parts = typeof path === 'number' ? [path] : String(path).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  let value = item;
  for (const p of parts) value = value === null || value === undefined ? undefined : (value as Record<string | number, unknown>)[p];
  return value;
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : value && typeof value === 'object' ? Object.keys(value) : typeof value === 'string' ? [...value] : []);
const lowered = (v: unknown, caseSensitive: unknown) => (!caseSensitive && typeof v === 'string' ? v.toLowerCase() : v);

export function installJinjaFilters(env: nunjucks.Environment): void {
  // map(attribute='name'[, default=x]) or map('filter', *args)
  env.addFilter('map', (value: unknown, ...args: unknown[]) => {
    const { positional, kw } = split(args);
    const items = listOf(value);
    if (kw['attribute'] !== undefined) {
      return items.map((item) => {
        const found = attribute(item, kw['attribute']);
        return found === undefined && 'default' in kw ? kw['default'] : found;
      });
    }
    const [name, ...rest] = positional;
    if (typeof name !== 'string') throw new Error("map() takes a filter name or attribute='...'");
    const filter = env.getFilter(name) as (this: unknown, ...a: unknown[]) => unknown;
    return items.map((item) => filter.call(undefined, item, ...rest));
  });
  env.addFilter('unique', (value: unknown, ...args: unknown[]) => {
    const { kw } = split(args);
    const seen = new Set<unknown>();
    return listOf(value).filter((item) => {
      const key = lowered(kw['attribute'] !== undefined ? attribute(item, kw['attribute']) : item, kw['case_sensitive']);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });
  const extreme = (sign: 1 | -1) => (value: unknown, ...args: unknown[]) => {
    const { kw } = split(args);
    const items = listOf(value);
    if (!items.length) return undefined;
    const key = (item: unknown) => lowered(kw['attribute'] !== undefined ? attribute(item, kw['attribute']) : item, kw['case_sensitive']) as number | string;
    return items.reduce((best, item) => ((key(item) > key(best)) === (sign === 1) && key(item) !== key(best) ? item : best));
  };
  env.addFilter('max', extreme(1));
  env.addFilter('min', extreme(-1));
  // select / reject / selectattr / rejectattr with Jinja's tests: selectattr('type', 'equalto', 'model').
  const tested = (item: unknown, testName: unknown, args: unknown[]) => {
    if (testName === undefined) return Boolean(item) && !(Array.isArray(item) && item.length === 0);
    const test = (env as unknown as { getTest(name: string): ((...a: unknown[]) => boolean) | undefined }).getTest(String(testName));
    if (!test) throw new Error(`no test named '${String(testName)}'`);
    return test.call(undefined, item, ...args);
  };
  const choose = (keep: boolean, byAttr: boolean) => (value: unknown, ...args: unknown[]) => {
    const { positional } = split(args);
    const [attr, testName, ...rest] = byAttr ? positional : [undefined, ...positional];
    return listOf(value).filter((item) => tested(byAttr ? attribute(item, attr) : item, testName, rest) === keep);
  };
  env.addFilter('select', choose(true, false));
  env.addFilter('reject', choose(false, false));
  env.addFilter('selectattr', choose(true, true));
  env.addFilter('rejectattr', choose(false, true));
  env.addFilter('items', (value: unknown) => (value && typeof value === 'object' ? Object.entries(value) : []));
  env.addFilter('attr', (value: unknown, name: unknown) => attribute(value, String(name)));
  // 'Hello %s, %d rows' | format(name, n): printf-style, as Python's % operator.
  env.addFilter('format', (pattern: unknown, ...args: unknown[]) => {
    let i = 0;
    return String(pattern).replace(/%([sdifr%])/g, (_, c: string) => (c === '%' ? '%' : c === 'd' || c === 'i' ? String(Math.trunc(Number(args[i++]))) : String(args[i++])));
  });
}
