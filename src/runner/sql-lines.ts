// An engine names the line of the statement it ran (`LINE 6:` from DuckDB, `line 6 of the
// statement:` from sf's PostgreSQL adapter); the statement wraps the model's SQL (`create
// table ... as (`), so that line is not the one in target/compiled/. This moves the number to
// the compiled file's line, and the caret under it with the new prefix.
import { lineAt } from '../compiler/sql-statements.js';

const ENGINE_LINE = /^(\s*)(LINE (\d+):|line (\d+) of the statement:)/;

/** The failed statement's SQL, kept with its error (execute-unit.ts). */
const statementOf = new WeakMap<object, string>();

export function rememberStatement(err: unknown, statement: string): void {
  if (typeof err === 'object' && err !== null && !statementOf.has(err)) statementOf.set(err, statement);
}

export function statementOfError(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? statementOf.get(err) : undefined;
}

/** `message` with the engine's statement line turned into the compiled SQL's line, where the statement holds that SQL. */
export function pointAtCompiled(message: string, statement: string | undefined, compiled: string | undefined): string {
  const body = compiled?.trim();
  if (!statement || !body) return message;
  const at = statement.indexOf(body);
  if (at < 0) return message;
  // Statement line N is compiled line N - shift.
  const shift = lineAt(statement, at) - lineAt(compiled!, compiled!.indexOf(body));
  const last = lineAt(compiled!, compiled!.length);
  const lines = message.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = ENGINE_LINE.exec(lines[i]!);
    if (!m) continue;
    const line = Number(m[3] ?? m[4]) - shift;
    if (line < 1 || line > last) continue; // in the wrapper, not in the model's SQL
    const prefix = `line ${line} of the compiled SQL:`;
    lines[i] = lines[i]!.replace(m[2]!, prefix);
    const caret = lines[i + 1];
    if (caret !== undefined && /^\s*\^\s*$/.test(caret)) {
      const delta = prefix.length - m[2]!.length;
      lines[i + 1] = delta >= 0 ? ' '.repeat(delta) + caret : caret.slice(Math.min(-delta, caret.indexOf('^')));
    }
  }
  return lines.join('\n');
}
