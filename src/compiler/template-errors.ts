// Turn Nunjucks errors into UserErrors with file:line. Nunjucks reports parse errors at the
// right line but runtime errors one line too low, and errors thrown by our own globals
// (ref, source, ...) arrive wrapped: those already carry their own location.
import { UserError, type UserErrorCode } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { escapeRegExp } from '../util/regex.js';

interface NunjucksError extends Error {
  lineno?: number;
  cause?: unknown;
}

export function templateError(err: unknown, file: string, phase: 'parse' | 'render', source?: { text: string; names: readonly string[] }): UserError {
  const e = err as NunjucksError;
  if (e.cause instanceof UserError) return e.cause;
  const printed = UNDEFINED_OUTPUT.exec(e.message ?? '');
  if (printed) return undefinedName(file, Number(printed[1]), Number(printed[2]), source, printed[3] === 'NaN');
  const included = /template not found: (.+)$/m.exec(e.message ?? '');
  if (included) return includeError(file, included[1]!.trim(), source?.text);
  const message = cleanMessage(e.message ?? String(err));
  const line = e.lineno === undefined ? undefined : phase === 'render' ? e.lineno + 1 : e.lineno;
  // `dbt_utils.star(...)` with no dbt_utils: a package macro, named as the package and macro.
  const namespaced = /Unable to call `(\w+)\["(\w+)"\]`, which is undefined/.exec(e.message ?? '');
  if (phase === 'render' && namespaced) {
    const loaded = source?.names.includes(namespaced[1]!);
    return new UserError('TEMPLATE_RENDER', `${namespaced[1]}.${namespaced[2]}() is not defined: ${loaded ? `package '${namespaced[1]}' has no macro '${namespaced[2]}'` : `sf has no package '${namespaced[1]}' loaded`}`, {
      location: { file, line },
      hint: loaded
        ? `check the macro's name in the package's macros/ (a newer version of the package may have it)`
        : `install the package in dbt_packages/ (dbt deps; \`sf deps\` lists what packages.yml asks for), or define ${namespaced[2]} in the project's macros and call it without '${namespaced[1]}.'`,
    });
  }
  const code: UserErrorCode = phase === 'parse' ? 'TEMPLATE_SYNTAX' : 'TEMPLATE_RENDER';
  return new UserError(code, phase === 'parse' ? `template syntax error: ${message}` : `template error: ${message}`, {
    location: { file, line },
    hint: phase === 'parse'
      ? 'check the {{ }} / {% %} tags around this line; every {% if %}, {% for %}, {% macro %} needs its {% end... %}'
      : undefined,
  });
}

/** What ensureDefined (undefined-names.ts) throws, after Nunjucks adds where. */
const UNDEFINED_OUTPUT = /\[Line (\d+), Column (\d+)\][\s\S]*sf: (undefined value|NaN) printed/;

/**
 * `{{ custmer_id }}`: an undefined name printed into SQL would be an empty string there. Name
 * it, with the closest defined name, at its line.
 */
function undefinedName(file: string, line: number, column: number, source?: { text: string; names: readonly string[] }, nan = false): UserError {
  const text = source?.text.split('\n')[line - 1]?.slice(column - 1) ?? '';
  const expr = /^\{\{-?\s*([^|}]+?)\s*(?:\||-?\}\})/.exec(text)?.[1];
  // The first name in the expression that is not defined (`1 + nope`: nope).
  const head = expr ? [...expr.matchAll(/(?<![.\w'"])[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => m[0]).find((n) => !source?.names.includes(n)) ?? /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr)?.[0] : undefined;
  const near = head && source ? didYouMean(head, source.names.filter((n) => n !== head)) : undefined;
  const what = nan ? 'is not a number (NaN): arithmetic on an undefined name or on text' : 'is not defined: printed into the SQL it would be an empty string';
  return new UserError('TEMPLATE_RENDER', `${expr ? `'${expr}'` : 'a value'} ${what}`, {
    location: { file, line },
    hint: near ?? "check the spelling; to allow a missing value write {{ name | default('...') }}, or test it with {% if name is defined %}",
  });
}

/**
 * `{% include 'x.sql' %}`: templates have no loader, so nothing can be included;
 * Nunjucks says so without a line. Name the include's own line and what to do instead.
 */
function includeError(file: string, name: string, text: string | undefined): UserError {
  const quoted = escapeRegExp(name);
  const line = text === undefined ? undefined : lineOf(text, new RegExp(`\\{%-?\\s*include\\s+['"]${quoted}['"]`)) ?? lineOf(text, /\{%-?\s*include\b/);
  return new UserError('TEMPLATE_RENDER', `{% include '${name}' %}: sf has no template files to include from`, {
    location: { file, line },
    hint: 'put the shared SQL in a macro under macros/ ({% macro name() %}...{% endmacro %}) and call it: {{ name() }}',
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
  const arg = firstArg === undefined ? '' : `\\s*['"]${escapeRegExp(firstArg)}['"]`;
  return new RegExp(`\\b${fn}\\s*\\(${arg}`);
}
