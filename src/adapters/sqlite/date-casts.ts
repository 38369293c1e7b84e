// SQLite keeps dates as ISO text ('2026-06-01'), and `cast(x as date)` would turn that text into
// the number 2026 (a `date` type has NUMERIC affinity). A model's `cast(x as date)` is rewritten
// to `date(x)`, which keeps the text date, and `cast(x as timestamp)` (or `datetime`) to
// `datetime(x)` ('YYYY-MM-DD HH:MM:SS', whole seconds), so partition filters and comparisons
// give the same rows as on the engines with real date types. Strings, quoted names and
// comments are skipped.

const FUNCTION_FOR: Readonly<Record<string, string>> = { date: 'date', timestamp: 'datetime', datetime: 'datetime' };

/** `cast(expr as date)` -> `date(expr)`, `cast(expr as timestamp)` -> `datetime(expr)`, also nested. */
export function rewriteDateCasts(sql: string): string {
  if (!/\bcast\s*\(/i.test(sql)) return sql;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const skipped = skipQuoted(sql, i);
    if (skipped > i) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    const head = /^cast\s*\(/i.exec(sql.slice(i, i + 64));
    if (head && !/[A-Za-z0-9_$."]/.test(sql[i - 1] ?? '')) {
      const open = i + head[0].length - 1;
      const close = matchingParen(sql, open);
      if (close > 0) {
        const inner = rewriteDateCasts(sql.slice(open + 1, close));
        const asDate = /^([\s\S]*?)\s+as\s+(date|timestamp|datetime)\s*$/i.exec(inner);
        out += asDate ? `${FUNCTION_FOR[asDate[2]!.toLowerCase()]}(${asDate[1]!.trim()})` : `${sql.slice(i, open + 1)}${inner})`;
        i = close + 1;
        continue;
      }
    }
    out += sql[i];
    i++;
  }
  return out;
}

/** The index after a string, quoted name or comment starting at `i`, or `i`. */
function skipQuoted(sql: string, i: number): number {
  const ch = sql[i];
  if (ch === "'" || ch === '"' || ch === '`') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === ch) {
        if (sql[j + 1] === ch) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (ch === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end;
  }
  if (ch === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  return i;
}

function matchingParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; ) {
    const skipped = skipQuoted(sql, i);
    if (skipped > i) {
      i = skipped;
      continue;
    }
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) return i;
    i++;
  }
  return -1;
}
