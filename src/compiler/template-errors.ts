// Turn Nunjucks errors into UserErrors with file:line. Nunjucks reports parse errors at the
// right line but runtime errors one line too low, and errors thrown by our own globals
// (ref, source, ...) arrive wrapped: those already carry their own location.
import { UserError, type UserErrorCode } from '../util/errors.js';

interface NunjucksError extends Error {
  lineno?: number;
  cause?: unknown;
}

export function templateError(err: unknown, file: string, phase: 'parse' | 'render'): UserError {
  const e = err as NunjucksError;
  if (e.cause instanceof UserError) return e.cause;
  const message = cleanMessage(e.message ?? String(err));
  const line = e.lineno === undefined ? undefined : phase === 'render' ? e.lineno + 1 : e.lineno;
  const code: UserErrorCode = phase === 'parse' ? 'TEMPLATE_SYNTAX' : 'TEMPLATE_RENDER';
  return new UserError(code, phase === 'parse' ? `template syntax error: ${message}` : `template error: ${message}`, {
    location: { file, line },
    hint: phase === 'parse'
      ? 'check the {{ }} / {% %} tags around this line; every {% if %}, {% for %}, {% macro %} needs its {% end... %}'
      : undefined,
  });
}

/** `(models/a.sql) [Line 2, Column 9]\n  Error: unexpected token` -> `unexpected token` */
function cleanMessage(message: string): string {
  const body = message.replace(/^\([^)]*\)(\s*\[Line \d+, Column \d+\])?\s*/, '');
  return body.trim().replace(/^(Error|TypeError|Template render error):\s*/, '');
}

/** 1-based line of the first match of `pattern` in `source`, for errors raised by our globals. */
export function lineOf(source: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(source);
  if (!match) return undefined;
  return source.slice(0, match.index).split('\n').length;
}

export function callPattern(fn: string, firstArg?: string): RegExp {
  const arg = firstArg === undefined ? '' : `\\s*['"]${firstArg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`;
  return new RegExp(`\\b${fn}\\s*\\(${arg}`);
}
