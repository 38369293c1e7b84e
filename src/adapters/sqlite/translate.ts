// SQL written for PostgreSQL or DuckDB, made to run on SQLite with the same results, through a
// real SQL parser (node-sql-parser's PostgreSQL grammar): the statement is parsed, the nodes
// SQLite reads differently are rewritten in the tree, and the tree is printed again.
//   cast(x as date) / x::date          date(x)        (SQLite's cast gives the year: 2022)
//   cast(x as timestamp) / ::timestamp  datetime(x)
//   x::type                             cast(x as type)
//   date_trunc('month', x)              datetime(x, 'start of month')   (cross-db.ts's SQLite form)
//   x + interval '1 day'                datetime(x, '+1 day')
//   date - date                         the whole days between them
//   extract(year from x), date_part     cast(strftime('%Y', x) as integer), ...
//   current_date, current_date()         date('now')   (and current_timestamp, current_time)
//   (select ...) union all (select ...)  select * from (select ...) as sf_u1 union all ...
// SQL with none of these is left exactly as written (the parser is not consulted). A construct
// that cannot be translated, or SQL the parser cannot read, is an error naming the construct
// and its line.
import { createRequire } from 'node:module';
import type { Parser } from 'node-sql-parser/build/postgresql.js';
import { crossDbMacros } from '../../compiler/cross-db.js';
import { UntranslatableSql } from '../types.js';

type Node = Record<string, any>;

// Loaded on first need (about 0.1 s): most SQL has nothing to translate, and no other engine needs it.
const require = createRequire(import.meta.url);
let loaded: Parser | undefined;
const parser = (): Parser => (loaded ??= new (require('node-sql-parser/build/postgresql.js') as { Parser: new () => Parser }).Parser());
const PG = { database: 'PostgresQL' };
const SQLITE = { database: 'sqlite' };
const sqlite = crossDbMacros('sqlite');

/** What SQLite cannot run as written; the first found names the error. */
const CONSTRUCTS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: '`::` cast', pattern: /::/ },
  { name: 'cast to a date or time type', pattern: /\bcast\s*\([\s\S]*?\bas\s+(date|timestamp|timestamptz|datetime|time)\b/i },
  { name: 'date_trunc()', pattern: /\bdate_trunc\s*\(/i },
  { name: 'interval', pattern: /\binterval\b/i },
  { name: 'extract()', pattern: /\b(extract|date_part)\s*\(/i },
  { name: 'current_date()', pattern: /\bcurrent_(date|timestamp|time)\s*\(\s*\)/i },
  { name: 'parenthesized union member', pattern: /\b(union|intersect|except)(\s+all|\s+distinct)?\s*\(\s*(select|with)\b/i },
];

/** The clock as SQLite reads it (UTC, as its own CURRENT_DATE), as date functions so date - date works. */
const CLOCK: Readonly<Record<string, string>> = { current_date: "date('now')", current_timestamp: "datetime('now')", current_time: "time('now')" };

/** `sql` (a statement, or an expression such as a predicate) as SQLite runs it. */
export function translateForSqlite(sql: string): string {
  const code = blankQuoted(sql);
  const found = CONSTRUCTS.map((c) => ({ ...c, at: code.search(c.pattern) })).filter((c) => c.at >= 0).sort((a, b) => a.at - b.at)[0];
  if (!found) return sql;
  // The line of the construct named (its first use), else of the first one found.
  const lineOf = (construct: string) => {
    const at = code.search(CONSTRUCTS.find((c) => c.name === construct)?.pattern ?? found.pattern);
    return sql.slice(0, at >= 0 ? at : found.at).split('\n').length;
  };
  const fail = (message: string, construct = found.name) => new UntranslatableSql(message, construct, lineOf(construct));
  // The grammar reads extract's field only bare (extract(year from x)); PostgreSQL also takes it quoted.
  const readable = sql.replace(/\bextract\s*\(\s*'([A-Za-z]+)'\s+from\b/gi, 'extract($1 from');
  let statement: Node | Node[];
  try {
    statement = parser().astify(readable, PG) as Node | Node[];
  } catch (asStatement) {
    // A predicate or a single expression: read as the column of a select.
    let expression: Node;
    try {
      expression = (parser().astify(`select ${readable}`, PG) as Node)['columns'][0].expr;
    } catch {
      const at = (asStatement as { location?: { start?: { line?: number; column?: number } } }).location?.start;
      throw new UntranslatableSql(`SQLite cannot run the ${found.name} here as written, and sf's SQL parser (PostgreSQL's grammar) cannot read the statement to translate it: at line ${at?.line ?? '?'}, column ${at?.column ?? '?'}, ${(asStatement as Error).message.replace(/^Expected .* but (.*) found\.$/s, '$1 was not expected').slice(0, 120)}`, 'statement', at?.line ?? lineOf(found.name));
    }
    return parser().exprToSQL(noIntervalLeft(rewrite(expression, fail), fail), SQLITE);
  }
  const rewritten = noIntervalLeft(rewrite(statement, fail), fail);
  return parser().sqlify(rewritten as Parameters<Parser['sqlify']>[0], SQLITE);
}

type Fail = (message: string, construct?: string) => Error;

/** The tree with SQLite's forms, children first. */
function rewrite(node: Node, fail: Fail): Node {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, fail));
  if (node === null || typeof node !== 'object') return node;
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) out[key] = value !== null && typeof value === 'object' ? rewrite(value as Node, fail) : value;
  if (out['type'] === 'cast') return castFor(out, fail);
  if (out['type'] === 'function' && functionName(out) === 'date_trunc') return dateTrunc(out, fail);
  if (out['type'] === 'extract') return extracted(out['args']?.field, out['args']?.source, fail);
  if (out['type'] === 'function' && functionName(out) === 'date_part') {
    const [field, source] = out['args']?.value as Node[];
    if (field?.type !== 'single_quote_string') throw fail("date_part's first argument must be a literal ('year', ...) for SQLite", 'extract()');
    return extracted(field['value'], source!, fail);
  }
  if (out['type'] === 'function' && CLOCK[functionName(out)]) return expression(CLOCK[functionName(out)]!);
  if (out['type'] === 'select') return withoutParenthesizedMembers(out);
  // date - date: PostgreSQL's whole days between them (SQLite would subtract the years).
  if (out['type'] === 'binary_expr' && out['operator'] === '-' && isDateCall(out['left']) && isDateCall(out['right'])) {
    return expression(`cast(julianday(${parser().exprToSQL(out['left'], SQLITE)}) - julianday(${parser().exprToSQL(out['right'], SQLITE)}) as integer)`);
  }
  if (out['type'] === 'binary_expr' && (out['operator'] === '+' || out['operator'] === '-')) {
    if (out['right']?.type === 'interval') return shifted(out['left'], out['right'], out['operator'] === '-', fail);
    if (out['left']?.type === 'interval' && out['operator'] === '+') return shifted(out['right'], out['left'], false, fail);
  }
  return out;
}

/**
 * `(select ...) union all (select ...)` (dbt_utils' union_relations): SQLite takes no
 * parenthesized member of a compound select, so each becomes `select * from (...) as sf_uN`,
 * which keeps its own order by and limit. The grammar reads some as a chain of selects
 * (`_next`), others as a from item joined by `union`.
 */
function withoutParenthesizedMembers(select: Node): Node {
  let wrapped = 0;
  const wrap = (member: Node): Node => {
    const { _next: next, set_op: op, parentheses_symbol: _p, ...inner } = member;
    const outer = parser().astify(`select * from (select 1) as sf_u${++wrapped}`, PG) as Node;
    outer['from'][0].expr.ast = inner;
    return { ...outer, ...(next ? { _next: next } : {}), ...(op ? { set_op: op } : {}) };
  };
  let head = select;
  if (head['_next']) {
    head = head['parentheses_symbol'] ? wrap(head) : { ...head };
    for (let m = head; m['_next']; m = m['_next'] as Node) if ((m['_next'] as Node)['parentheses_symbol']) m['_next'] = wrap(m['_next'] as Node);
  }
  const from = head['from'] as Node[] | undefined;
  if (Array.isArray(from) && from.some((f) => /^(union|intersect|except)/i.test(String(f?.['join'] ?? '')) && f['expr']?.ast)) {
    head = { ...head, from: from.map((f) => (/^(union|intersect|except)/i.test(String(f?.['join'] ?? '')) && f['expr']?.ast
      ? { ...f, expr: { ...f['expr'], ast: wrap(f['expr'].ast as Node), parentheses: false } }
      : f)) };
  }
  return head;
}

/** An interval not added to a date or time has no SQLite form. */
function noIntervalLeft(tree: Node, fail: Fail): Node {
  const seek = (n: unknown): boolean => n !== null && typeof n === 'object' && ((n as Node)['type'] === 'interval' || Object.values(n as Node).some(seek));
  if (seek(tree)) throw fail('SQLite has no interval values: an interval can only be added to or subtracted from a date or time here', 'interval');
  return tree;
}

const DATE_FUNCTION: Readonly<Record<string, string>> = {
  DATE: 'date', TIMESTAMP: 'datetime', TIMESTAMPTZ: 'datetime', DATETIME: 'datetime', TIME: 'time',
};

/** A cast (or a chain of `::` casts): date and time types as SQLite's functions, the others as cast(x as type). */
function castFor(node: Node, fail: Fail): Node {
  let expr = node['expr'] as Node;
  for (const target of node['target'] as Node[]) {
    const type = String(target['dataType'] ?? '').toUpperCase().split(' ')[0]!;
    if (type === 'INTERVAL') throw fail('SQLite has no interval type to cast to', 'cast to interval');
    const fn = DATE_FUNCTION[type];
    expr = fn ? call(fn, [expr]) : { ...node, expr, symbol: 'as', keyword: 'cast', target: [target] };
  }
  return expr;
}

/** A date() call: what a cast to date became. */
function isDateCall(node: Node | undefined): boolean {
  return node?.type === 'function' && functionName(node) === 'date';
}

/** strftime's field for each of extract's, as an integer as PostgreSQL gives it. */
const FIELDS: Readonly<Record<string, (x: string) => string>> = {
  year: (x) => `cast(strftime('%Y', ${x}) as integer)`,
  month: (x) => `cast(strftime('%m', ${x}) as integer)`,
  day: (x) => `cast(strftime('%d', ${x}) as integer)`,
  hour: (x) => `cast(strftime('%H', ${x}) as integer)`,
  minute: (x) => `cast(strftime('%M', ${x}) as integer)`,
  second: (x) => `cast(strftime('%S', ${x}) as integer)`,
  dow: (x) => `cast(strftime('%w', ${x}) as integer)`,
  isodow: (x) => `((cast(strftime('%w', ${x}) as integer) + 6) % 7 + 1)`,
  doy: (x) => `cast(strftime('%j', ${x}) as integer)`,
  quarter: (x) => `((cast(strftime('%m', ${x}) as integer) + 2) / 3)`,
  epoch: (x) => `cast(strftime('%s', ${x}) as integer)`,
};

function extracted(field: unknown, source: Node, fail: Fail): Node {
  const make = FIELDS[String(field).toLowerCase()];
  if (!make) throw fail(`extract(${String(field)} from ...) has no SQLite equivalent sf knows (${Object.keys(FIELDS).join(', ')})`, 'extract()');
  return expression(make(parser().exprToSQL(source, SQLITE)));
}

function functionName(node: Node): string {
  const parts = node['name']?.name as { value: string }[] | undefined;
  return parts?.map((p) => p.value).join('.').toLowerCase() ?? '';
}

function call(name: string, args: Node[]): Node {
  return { type: 'function', name: { name: [{ type: 'default', value: name }] }, args: { type: 'expr_list', value: args } };
}

const text = (value: string): Node => ({ type: 'single_quote_string', value });

/** The SQLite expression for `sql` (made by cross-db.ts), as a tree. */
function expression(sql: string): Node {
  return (parser().astify(`select ${sql}`, PG) as Node)['columns'][0].expr;
}

function dateTrunc(node: Node, fail: Fail): Node {
  const [part, value] = node['args']?.value as Node[];
  if (part?.type !== 'single_quote_string') throw fail("date_trunc's first argument must be a literal ('day', 'month', ...) for SQLite", 'date_trunc()');
  try {
    return expression(sqlite['date_trunc']!(`'${part['value']}'`, parser().exprToSQL(value, SQLITE)));
  } catch (err) {
    throw fail(`date_trunc('${part['value']}', ...): ${(err as Error).message}`, 'date_trunc()');
  }
}

/** SQLite's modifiers for a unit: weeks are 7 days, quarters 3 months. */
const UNITS: Readonly<Record<string, [string, number]>> = {
  year: ['years', 1], quarter: ['months', 3], month: ['months', 1], week: ['days', 7], day: ['days', 1],
  hour: ['hours', 1], minute: ['minutes', 1], second: ['seconds', 1],
};

/**
 * `value ± interval '...'` as datetime(value, '+N unit', ...). Months and years first, as
 * PostgreSQL adds them, and clamped as it does (Jan 31 + 1 month is Feb 29, where SQLite's own
 * modifier gives Mar 2).
 */
function shifted(value: Node, interval: Node, subtract: boolean, fail: Fail): Node {
  const spelled = `${interval['expr']?.value ?? ''} ${interval['unit'] ?? ''}`.trim().toLowerCase();
  const parts = [...spelled.matchAll(/(-?\d+(?:\.\d+)?)\s*([a-z]+)/g)];
  if (!parts.length || parts.map((p) => p[0]).join(' ').replace(/\s+/g, ' ') !== spelled.replace(/\s+/g, ' ')) {
    throw fail(`interval '${spelled}' is not one SQLite can add (write it as a number and a unit: '3 days')`, 'interval');
  }
  const steps = parts.map(([, n, unit]) => {
    const known = UNITS[unit!.replace(/s$/, '')];
    if (!known) throw fail(`interval unit '${unit}' has no SQLite equivalent (years, quarters, months, weeks, days, hours, minutes, seconds)`, 'interval');
    return { unit: known[0], amount: Number(n) * known[1] * (subtract ? -1 : 1) };
  });
  const months = steps.filter((s) => s.unit === 'months').reduce((sum, s) => sum + s.amount, 0)
    + steps.filter((s) => s.unit === 'years').reduce((sum, s) => sum + s.amount * 12, 0);
  let base = value;
  if (months) {
    const x = parser().exprToSQL(value, SQLITE);
    base = expression(`min(datetime(${x}, '${signed(months)} months'), date(${x}, 'start of month', '${signed(months + 1)} months', '-1 days') || ' ' || time(${x}))`);
  }
  const rest = steps.filter((s) => s.unit !== 'months' && s.unit !== 'years').map((s) => text(`${signed(s.amount)} ${s.unit}`));
  return call('datetime', [base, ...rest]);
}

const signed = (n: number) => `${n >= 0 ? '+' : ''}${n}`;

/** The SQL with strings, quoted names and comments blanked (same length): where constructs are looked for. */
function blankQuoted(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    let end = i;
    if (ch === "'" || ch === '"' || ch === '`') {
      end = i + 1;
      while (end < sql.length && !(sql[end] === ch && sql[end + 1] !== ch)) end += sql[end] === ch ? 2 : 1;
      end = Math.min(end + 1, sql.length);
    } else if (ch === '-' && sql[i + 1] === '-') {
      end = sql.indexOf('\n', i);
      if (end < 0) end = sql.length;
    } else if (ch === '/' && sql[i + 1] === '*') {
      end = sql.indexOf('*/', i + 2);
      end = end < 0 ? sql.length : end + 2;
    }
    if (end > i) {
      out += sql.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
