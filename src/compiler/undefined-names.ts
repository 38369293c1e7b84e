// dbt fails when a template calls an undefined name or reads its attribute; sf also fails when
// it prints one (`{{ custmer_id }}`), since an empty string in SQL is never what was meant.
// Nunjucks' throwOnUndefined calls runtime.ensureDefined on every printed value; ours throws
// on undefined only (a None prints `None`, as in Jinja). Testing an undefined name
// (`{% if x %}`, `x is defined`, `x | default(...)`) stays allowed.
import nunjucks from 'nunjucks';

interface Runtime {
  ensureDefined: (value: unknown, lineno: number, colno: number) => unknown;
}

const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
const TemplateError = (nunjucks as unknown as { lib: { TemplateError: new (message: string, lineno: number, colno: number) => Error } }).lib.TemplateError;

runtime.ensureDefined = (value, lineno, colno) => {
  if (value === undefined) throw new TemplateError('sf: undefined value printed', lineno + 1, colno + 1);
  // `{{ 1 + nope }}`: arithmetic on an undefined name (or on text) prints NaN, never meant.
  if (typeof value === 'number' && Number.isNaN(value)) throw new TemplateError('sf: NaN printed', lineno + 1, colno + 1);
  // None prints as Jinja prints it (py-print.ts): `None`.
  return value;
};

/**
 * Template names (package macro files) printed as Jinja prints: an undefined name as an empty
 * string. Packages are written for Jinja (dbt_utils prints a group-by list that may be unset).
 */
export const JINJA_PRINTING = new Set<string>();
const compiler = (nunjucks as unknown as { compiler: { compile: (src: string, asyncFilters: unknown, extensions: unknown, name: string, opts?: object) => string } }).compiler;
const compile = compiler.compile;
compiler.compile = (src, asyncFilters, extensions, name, opts) =>
  compile(src, asyncFilters, extensions, name, JINJA_PRINTING.has(name) ? { ...opts, throwOnUndefined: false } : opts);

/** Environment options that turn the check on. */
export const PRINTING_UNDEFINED_FAILS = { throwOnUndefined: true } as const;
