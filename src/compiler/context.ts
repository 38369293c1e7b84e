// The functions and values a model template sees. Rendering is synchronous, so the globals
// read the model being rendered from one `RenderState` that the compiler swaps per model.
import type { Environment } from 'nunjucks';
import type { ModelSettings } from '../config/types.js';
import { modelSettingsSchema, formatZodIssues } from '../config/schema.js';
import { UserError, type UserErrorCode } from '../util/errors.js';
import { isSecretEnvName } from '../util/secrets.js';
import { didYouMean } from '../util/suggest.js';
import type { ModelNode } from '../parser/nodes.js';
import { callPattern, lineOf } from './template-errors.js';

export const REF_TOKEN = (name: string) => `\u001Fref\u001E${name}\u001F`;
export const THIS_TOKEN = '\u001Fthis\u001F';
export const TOKEN_PATTERN = /\u001F(?:ref\u001E([^\u001F]*)|this)\u001F/g;

export interface RenderState {
  readonly node: ModelNode;
  settings: ModelSettings;
  readonly refs: Set<string>;
  readonly sources: Map<string, { source: string; table: string }>;
  readonly errors: UserError[];
}

export interface ContextInputs {
  /** Model and seed names that `ref()` may name. */
  readonly refable: ReadonlySet<string>;
  readonly sources: Readonly<Record<string, { readonly schema: string; readonly tables: readonly string[] }>>;
  readonly renderSource: (schema: string, table: string) => string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly env: NodeJS.ProcessEnv;
  readonly target: Readonly<{ name: string; type: string; schema: string }>;
}

export const RESERVED_GLOBALS = ['ref', 'source', 'config', 'var', 'env_var', 'is_incremental', 'target', 'this'];

export function installGlobals(env: Environment, inputs: ContextInputs, current: () => RenderState): void {
  const fail = (state: RenderState, err: { code: UserErrorCode; message: string; hint?: string | undefined; pattern: RegExp }) => {
    state.errors.push(new UserError(err.code, err.message, {
      location: { file: state.node.path, line: lineOf(state.node.rawSql, err.pattern) },
      hint: err.hint,
    }));
  };

  env.addGlobal('ref', (...args: unknown[]) => {
    const state = current();
    const name = String(args[args.length - 1]); // ref('pkg', 'model') names the model last
    if (!inputs.refable.has(name)) {
      fail(state, {
        code: 'REF_NOT_FOUND',
        message: `ref('${name}') in model '${state.node.name}': no model or seed is named '${name}'`,
        hint: didYouMean(name, inputs.refable) ?? 'check the file name under models/ or seeds/',
        pattern: callPattern('ref', name),
      });
      return name;
    }
    state.refs.add(name);
    return REF_TOKEN(name);
  });

  env.addGlobal('source', (sourceName: unknown, table: unknown) => {
    const state = current();
    const source = inputs.sources[String(sourceName)];
    if (!source || !source.tables.includes(String(table))) {
      const known = Object.entries(inputs.sources).flatMap(([s, def]) => def.tables.map((t) => `${s}.${t}`));
      fail(state, {
        code: 'SOURCE_NOT_FOUND',
        message: `source('${sourceName}', '${table}') in model '${state.node.name}' is not declared in the config`,
        hint: didYouMean(`${sourceName}.${table}`, known)
          ?? `add it to the config: sources: { ${sourceName}: { tables: ['${table}'] } }`,
        pattern: callPattern('source', String(sourceName)),
      });
      return `${sourceName}.${table}`;
    }
    state.sources.set(`${sourceName}.${table}`, { source: String(sourceName), table: String(table) });
    return inputs.renderSource(source.schema, String(table));
  });

  env.addGlobal('config', (...args: unknown[]) => {
    const state = current();
    const { __keywords, ...settings } = (args[args.length - 1] ?? {}) as Record<string, unknown>;
    const parsed = modelSettingsSchema.safeParse(settings);
    if (!parsed.success) {
      fail(state, {
        code: 'MODEL_CONFIG',
        message: `bad config() in model '${state.node.name}': ${formatZodIssues(parsed.error).join('; ')}`,
        hint: 'config() takes materialized (view|table|ephemeral), tags, schema, alias, enabled',
        pattern: callPattern('config'),
      });
      return '';
    }
    const { tags, ...rest } = parsed.data as ModelSettings;
    state.settings = { ...state.settings, ...rest, ...(tags ? { tags: [...(state.settings.tags ?? []), ...tags] } : {}) };
    return '';
  });

  env.addGlobal('var', (...args: unknown[]) => {
    const state = current();
    const name = String(args[0]);
    if (name in inputs.vars) return inputs.vars[name];
    if (args.length > 1) return args[1];
    fail(state, {
      code: 'TEMPLATE_RENDER',
      message: `var('${name}') in model '${state.node.name}' has no value and no default`,
      hint: `add vars: { ${name}: ... } to the config, pass --vars '{"${name}": ...}', or give a default: var('${name}', ...)`,
      pattern: callPattern('var', name),
    });
    return '';
  });

  env.addGlobal('env_var', (...args: unknown[]) => {
    const state = current();
    const name = String(args[0]);
    if (isSecretEnvName(name)) {
      fail(state, {
        code: 'SECRET_IN_TEMPLATE',
        message: `model '${state.node.name}' reads secret environment variable ${name}; secrets may only be used in target settings`,
        hint: 'secrets never reach compiled SQL or artifacts: use a non-secret variable, or move the value to the config file',
        pattern: callPattern('env_var', name),
      });
      return '';
    }
    const value = inputs.env[name];
    if (value !== undefined) return value;
    if (args.length > 1) return args[1];
    fail(state, {
      code: 'TEMPLATE_RENDER',
      message: `env_var('${name}') in model '${state.node.name}': the variable is not set and has no default`,
      hint: `export ${name}=... or give a default: env_var('${name}', '...')`,
      pattern: callPattern('env_var', name),
    });
    return '';
  });

  env.addGlobal('is_incremental', () => false);
  env.addGlobal('target', inputs.target);
}
