// Rows as a text table, as `sf show` prints them: a header, a rule, one line per row; numbers
// right-aligned, long values cut short, NULL as `null`.
import { stripVTControlCharacters } from 'node:util';
import { paint } from './style.js';

const MAX_WIDTH = 40;

export function formatTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  const cells = rows.map((row) => row.map(cell));
  const numeric = columns.map((_, i) => cells.length > 0 && cells.every((r) => r[i]!.null || /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(r[i]!.text)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.text.length)));
  const pad = (text: string, i: number, shown = text) => {
    const room = ' '.repeat(widths[i]! - stripVTControlCharacters(shown).length);
    return numeric[i] ? room + shown : shown + room;
  };
  const line = (parts: string[]) => `| ${parts.join(' | ')} |`;
  return [
    line(columns.map((c, i) => pad(c, i))),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map((r) => line(r.map((c, i) => pad(c.text, i, c.null ? paint.dim(c.text) : c.text)))),
  ];
}

function cell(value: unknown): { text: string; null: boolean } {
  if (value === null || value === undefined) return { text: 'null', null: true };
  let text = value instanceof Date ? value.toISOString()
    : typeof value === 'object' && !(value instanceof Uint8Array) ? JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))
      : value instanceof Uint8Array ? `0x${Buffer.from(value).toString('hex')}` : String(value);
  text = text.replace(/\r?\n/g, '\\n');
  return { text: text.length > MAX_WIDTH ? `${text.slice(0, MAX_WIDTH - 1)}…` : text, null: false };
}
