// Property files may template their string values as dbt's do: `{{ var('x', 1) }}`,
// `{{ env_var('X') }}`, `{{ target.name }}`. Values are rendered in place in the parsed YAML,
// so errors keep their line. Keys sf does not use (meta, docs, descriptions, semantic models,
// metrics, unit tests, ...) are never rendered: they may hold Jinja meant for other tools.
import nunjucks from 'nunjucks';
import '../compiler/sandbox.js';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { guardSecretFields, holdsSecret, isSecretEnvName, secretValues } from '../util/secrets.js';

export interface YamlContext {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly env: NodeJS.ProcessEnv;
  readonly target: Readonly<{ name: string; type: string; schema: string }>;
}

/** Keys whose values sf neither uses nor renders. */
export const IGNORED_KEYS = new Set([
  'meta', 'docs', 'description', 'semantic_models', 'metrics', 'saved_queries', 'unit_tests',
  'exposures', 'groups', 'analyses', 'macros', 'snapshots', 'constraints',
  // Hooks are templates of the model (or the run) they belong to: rendered when it is compiled.
  'pre-hook', 'post-hook', '+pre-hook', '+post-hook', 'pre_hook', 'post_hook', '+pre_hook', '+post_hook', 'on-run-start', 'on-run-end',
]);

class YamlRenderError extends Error {}

/** Templates using these are left for the compiler (a test's `where` with ref()), as dbt renders tests late. */
const NEEDS_PROJECT = /\b(ref|source|this)\b/;

/** Renders every templated string under `node` in place; returns the problems with their nodes. */
export function renderYamlValues(node: unknown, context: YamlContext): { message: string; node: Node }[] {
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
  // As in models: a value holding a secret is never read into a property file's SQL or names.
  const secrets = secretValues(context.env);
  const refuse = (what: string) => new YamlRenderError(`${what} holds the value of a secret environment variable; secrets may only be used in connection settings`);
  env.addGlobal('var', (name: string, ...fallback: unknown[]) => {
    if (name in context.vars && holdsSecret(context.vars[name], secrets)) throw refuse(`var('${name}')`);
    if (name in context.vars) return context.vars[name];
    if (fallback.length) return fallback[0];
    throw new YamlRenderError(`var('${name}') has no value and no default; add it to the config's vars, pass --vars, or give a default`);
  });
  env.addGlobal('env_var', (name: string, ...fallback: unknown[]) => {
    const value = context.env[name];
    if (isSecretEnvName(name) || holdsSecret(value, secrets)) throw refuse(`env_var('${name}')`);
    if (value !== undefined) return value;
    if (fallback.length) return fallback[0];
    throw new YamlRenderError(`env_var('${name}') is not set and has no default; export ${name}=... or give a default`);
  });
  env.addGlobal('target', guardSecretFields(context.target, secrets, (key) => { throw refuse(`target.${key}`); }));
  const problems: { message: string; node: Node }[] = [];
  const visit = (n: unknown): void => {
    if (isMap(n)) {
      for (const pair of n.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (!IGNORED_KEYS.has(key)) visit(pair.value);
      }
    } else if (isSeq(n)) {
      for (const item of n.items) visit(item);
    } else if (isScalar(n) && typeof n.value === 'string' && /\{\{|\{%/.test(n.value) && !NEEDS_PROJECT.test(n.value)) {
      try {
        n.value = typed(env.renderString(n.value, {}));
      } catch (err) {
        const message = err instanceof Error ? err.message.replace(/^\(unknown path\)\s*/, '').replace(/^Error: /, '').trim() : String(err);
        problems.push({ message: `cannot render '${n.value}': ${message.split('\n').pop()!.trim()}`, node: n });
      }
    }
  };
  visit(node);
  return problems;
}

/** As dbt's native rendering: a rendered number or boolean is a number or boolean again. */
function typed(text: string): unknown {
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text.trim())) return Number(text);
  if (text === 'True' || text === 'true') return true;
  if (text === 'False' || text === 'false') return false;
  return text;
}
