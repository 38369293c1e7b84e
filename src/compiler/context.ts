// The functions and values a model template sees. Rendering is synchronous, so the globals
// read the model being rendered from one `RenderState` that the compiler swaps per render.
//
// ref(), source() and this print as placeholder tokens; the compiler resolves them once every
// model's config() is known (relations), and, in a batch, wraps inputs that declare an
// `event_time` in a filter to the batch's window (resolve.ts).
import type { Environment } from 'nunjucks';
import type { ModelSettings, ResolvedSource } from '../config/types.js';
import { MODEL_SETTING_KEYS, modelSettingsSchema, formatZodIssues, singularTestConfigSchema, type SingularTestConfig } from '../config/schema.js';
import { UserError, type UserErrorCode } from '../util/errors.js';
import { guardSecretFields, holdsSecret, isSecretEnvName, secretValues } from '../util/secrets.js';
import { didYouMean } from '../util/suggest.js';
import { canonicalKey, judgeConfigKey } from '../dbt/config-keys.js';
import type { ModelNode } from '../parser/nodes.js';
import { callPattern, lineOf } from './template-errors.js';
import type { RenderReads } from './render-cache.js';
import type { RenderContext } from './types.js';
import { incorporate, type WarehouseAnswers } from './warehouse.js';
import { dynamicGlobal } from './dynamic-globals.js';
import { PyDateTime } from './py-modules.js';

/** What a placeholder token stands for. `plain`: never filtered to a batch (`.render()`). */
export type TokenTarget =
  | { readonly kind: 'ref'; readonly name: string; readonly plain?: boolean }
  | { readonly kind: 'source'; readonly source: string; readonly table: string; readonly plain?: boolean }
  | { readonly kind: 'this' };

export const token = (target: TokenTarget) => `\u001F${JSON.stringify(target)}\u001F`;
export const TOKEN_PATTERN = /\u001F(\{[^\u001F]*\})\u001F/g;
export const THIS_TOKEN = token({ kind: 'this' });

export interface RenderState {
  readonly node: ModelNode;
  readonly ctx: RenderContext;
  /** The model's settings from a previous render (run time): what config.get() reads first. */
  readonly known: Readonly<ModelSettings>;
  settings: ModelSettings;
  readonly refs: Set<string>;
  readonly sources: Map<string, { source: string; table: string }>;
  readonly errors: UserError[];
  /** What its config() sets that sf does not apply (`file:line: ...`), said once a model. */
  readonly warnings: string[];
  /** config() keys that are neither sf's nor dbt's: kept for config.get, as dbt keeps custom configs. */
  readonly custom: Record<string, unknown>;
  /** A singular test's config() settings. */
  testConfig?: SingularTestConfig;
  /** What the render read besides its template (render-cache.ts). */
  readonly reads: RenderReads;
  /** The warehouse's answers so far (`execute` true); undefined: a first render (warehouse.ts). */
  readonly live?: WarehouseAnswers | undefined;
  /** `statement` results by name, for load_result(). */
  readonly results: Map<string, unknown>;
  /** It read `execute` or asked the warehouse: rendered again with `execute` true. */
  liveRead: boolean;
  /** A hook's render: the statements adapter methods made, run before the hook's own SQL. */
  hookStatements?: string[];
}

/** A relation as templates see it: prints as its token, has dbt's attributes. */
export interface RelationLike {
  readonly schema: string;
  readonly name: string;
}

export interface ContextInputs {
  /** Model and seed names that `ref()` may name. */
  readonly refable: ReadonlySet<string>;
  readonly sources: Readonly<Record<string, ResolvedSource>>;
  /** The relation a ref or source names, for `.schema`/`.name` in templates. */
  readonly relationOf: (target: Exclude<TokenTarget, { kind: 'this' }>) => RelationLike;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly env: NodeJS.ProcessEnv;
  readonly target: Readonly<{ name: string; type: string; schema: string }>;
  /** A window bound as a SQL literal of the engine (`timestamp '...'`, or ISO text on SQLite). */
  readonly timeLiteral: (iso: string) => string;
  /** The project's name (dbt's project_name, model.package_name). */
  readonly project: string;
  /** dbt's invocation_id and run_started_at, and its flags. */
  readonly run: { readonly invocationId: string; readonly startedAt: Date; readonly flags: Readonly<Record<string, unknown>> };
  /** dbt's `graph`: the project's nodes and sources by unique id (made when first read). */
  readonly graph: () => { readonly nodes: Readonly<Record<string, object>>; readonly sources: Readonly<Record<string, object>> };
}

/** dbt's test configs sf reads but does not apply. */
const DBT_TEST_ONLY_KEYS = ['store_failures_as', 'where', 'database', 'schema', 'alias', 'group', 'access', 'docs', 'persist_docs', 'sql_header'];

/**
 * Names a project macro may not take. `ref` and `source` may be overridden, as in dbt (the
 * macro reaches the originals as builtins.ref / builtins.source).
 */
export const RESERVED_GLOBALS = ['config', 'var', 'env_var', 'is_incremental', 'target', 'this', 'sf', 'adapter', 'return', 'dbt', 'builtins'];

/** What prints as `token` and reads like a dbt Relation (schema, name, identifier, render()). */
export function relationValue(target: TokenTarget, relation: () => RelationLike): object {
  // .render() opts out of a batch's event_time filter, as in dbt.
  return {
    toString: () => token(target),
    render: () => token(target.kind === 'this' ? target : { ...target, plain: true }),
    get schema() { return relation().schema; },
    get name() { return relation().name; },
    get identifier() { return relation().name; },
    get table() { return relation().name; },
    // dbt's Relation.include(database=..., schema=...): sf's relations name no database.
    include() { return this; },
    incorporate,
    database: null,
    is_cte: false,
    // What dbt_utils checks to know a relation from a string.
    metadata: { type: 'BaseRelation' },
  };
}

/** Another node's relation, read in a render: its attributes depend on that node's settings. */
function opaqueRead<T>(state: RenderState, relation: T): T {
  state.reads.opaque = true;
  return relation;
}

export function installGlobals(env: Environment, inputs: ContextInputs, current: () => RenderState): void {
  const fail = (state: RenderState, err: { code: UserErrorCode; message: string; hint?: string | undefined; pattern: RegExp }) => {
    const line = lineOf(state.node.rawSql, err.pattern);
    // The same mistake twice on one line (two reads of one var) is said once.
    if (state.errors.some((e) => e.message === err.message && e.location?.line === line)) return;
    state.errors.push(new UserError(err.code, err.message, { location: { file: state.node.path, line }, hint: err.hint }));
  };

  env.addGlobal('ref', (...args: unknown[]) => {
    const state = current();
    const name = String(args[args.length - 1]).normalize('NFC'); // ref('pkg', 'model') names the model last
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
    const target: TokenTarget = { kind: 'ref', name };
    return relationValue(target, () => opaqueRead(state, inputs.relationOf(target)));
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
    const target: TokenTarget = { kind: 'source', source: String(sourceName), table: String(table) };
    return relationValue(target, () => opaqueRead(state, inputs.relationOf(target)));
  });

  const config = (...args: unknown[]) => {
    const state = current();
    const { __keywords, ...settings } = (args[args.length - 1] ?? {}) as Record<string, unknown>;
    if (state.node.id.startsWith('test.')) {
      // A test's config(): dbt's test settings, not a model's. dbt's others (fail_calc, ...)
      // are not applied (the README says so): a failure is a failing row.
      for (const key of DBT_TEST_ONLY_KEYS) delete settings[key];
      const test = singularTestConfigSchema.safeParse(settings);
      if (!test.success) {
        fail(state, {
          code: 'MODEL_CONFIG',
          message: `bad config() in test '${state.node.name}': ${formatZodIssues(test.error).join('; ')}`,
          hint: 'a test\'s config() takes severity (error or warn), warn_if, error_if, limit, store_failures, tags, enabled, meta',
          pattern: callPattern('config'),
        });
      } else state.testConfig = { ...state.testConfig, ...test.data };
      return '';
    }
    // dbt's other configs: kept out of the settings, judged (dbt/config-keys.ts).
    const own: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(settings)) {
      const verdict = judgeConfigKey(key);
      if (verdict.kind === 'sf') own[canonicalKey(key)] = value;
      else if (verdict.kind === 'custom' && !verdict.error) state.custom[key] = value;
      if (!verdict.message) continue;
      if (verdict.error) {
        fail(state, { code: 'MODEL_CONFIG', message: `bad config() in model '${state.node.name}': ${verdict.message}`, pattern: callPattern('config') });
      } else {
        const line = lineOf(state.node.rawSql, callPattern('config'));
        const warning = `${state.node.path}${line ? `:${line}` : ''}: ${verdict.message}`;
        if (!state.warnings.includes(warning)) state.warnings.push(warning);
      }
    }
    const parsed = modelSettingsSchema.safeParse(own, { reportInput: true });
    if (!parsed.success) {
      fail(state, {
        code: 'MODEL_CONFIG',
        message: `bad config() in model '${state.node.name}': ${formatZodIssues(parsed.error, '', modelSettingsSchema).join('; ')}`,
        hint: `config() takes: ${MODEL_SETTING_KEYS.join(', ')} (see the README, "Configuration")`,
        pattern: callPattern('config'),
      });
      return '';
    }
    const { tags, ...rest } = parsed.data as ModelSettings;
    state.settings = { ...state.settings, ...rest, ...(tags ? { tags: [...(state.settings.tags ?? []), ...tags] } : {}) };
    return '';
  };
  // dbt's config.get('key', default) / config.require('key'): the model's settings so far.
  const setting = (key: string) => {
    const state = current();
    const merged: Record<string, unknown> = { ...state.node.folderCustom, ...state.node.folderSettings, ...state.known, ...state.settings, ...state.custom };
    return merged[key];
  };
  Object.assign(config, {
    get: (key: unknown, fallback: unknown = null) => setting(String(key)) ?? fallback,
    require: (key: unknown) => {
      const value = setting(String(key));
      if (value === undefined) {
        fail(current(), {
          code: 'MODEL_CONFIG',
          message: `config.require('${String(key)}') in model '${current().node.name}': the setting is not set`,
          hint: `set it with {{ config(${String(key)}=...) }} or in the config's folder defaults`,
          pattern: callPattern('config.require'),
        });
      }
      return value ?? '';
    },
  });
  env.addGlobal('config', config);
  // What a project's own ref() or source() macro calls to reach sf's.
  env.addGlobal('builtins', { ref: env.getGlobal('ref'), source: env.getGlobal('source'), config });

  // A value holding a secret never enters a template: reading it is the error, whatever the
  // template would do with it next (print it, filter it, slice it, join it to other text).
  const secrets = secretValues(inputs.env);
  const secret = (value: unknown) => holdsSecret(value, secrets);
  const secretRead = (state: RenderState, what: string, pattern: RegExp) => fail(state, {
    code: 'SECRET_IN_TEMPLATE',
    message: `${what} in model '${state.node.name}' holds the value of a secret environment variable; a template may not read it`,
    hint: 'secrets (SF_SECRET_*, the Postgres password) may only be used in connection settings, never in SQL',
    pattern,
  });

  env.addGlobal('var', function readVar(this: { ctx?: object } | undefined, ...args: unknown[]) {
    const state = current();
    const name = String(args[0]);
    state.reads.vars.add(name);
    if (name in inputs.vars) {
      const value = inputs.vars[name];
      // A var holding Jinja (dbt_project.yml's `as_of: "{{ current_timestamp() }}"`) renders where it is read, as in dbt.
      if (typeof value === 'string' && /\{[{%]/.test(value) && !secret(value)) {
        try {
          // In the template's own context (`this`, ...): `this` here is Nunjucks' context of the call.
          return env.renderString(value, this?.ctx ?? {});
        } catch (err) {
          fail(state, { code: 'TEMPLATE_RENDER', message: `var('${name}') holds ${JSON.stringify(value)}, which cannot be rendered here: ${String((err as Error).message).split('\n').pop()!.trim()}`, pattern: callPattern('var', name) });
          return '';
        }
      }
      if (!secret(value)) return value;
      secretRead(state, `var('${name}')`, callPattern('var', name));
      return '';
    }
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
    state.reads.env.add(name);
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
    if (value !== undefined && secret(value)) {
      secretRead(state, `env_var('${name}')`, callPattern('env_var', name));
      return '';
    }
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

  env.addGlobal('is_incremental', () => current().ctx.isIncremental);

  // dbt's context of the node being rendered and of the run.
  const settingsNow = () => {
    const state = current();
    return { ...state.node.folderCustom, ...state.node.folderSettings, ...state.known, ...state.settings, ...state.custom };
  };
  env.addGlobal('project_name', inputs.project);
  env.addGlobal('model', {
    get name() { return current().node.name; },
    get unique_id() { return current().node.id; },
    get resource_type() { return current().node.id.split('.')[0]; },
    get package_name() { return inputs.project; },
    get original_file_path() { return current().node.path; },
    get path() { return current().node.path.split('/').slice(1).join('/'); },
    get raw_code() { return current().node.rawSql; },
    get raw_sql() { return current().node.rawSql; },
    get config() { return settingsNow(); },
    get tags() { return (settingsNow() as { tags?: string[] }).tags ?? []; },
  });
  // These differ on every run: a render reading them is never taken from the render cache.
  dynamicGlobal('invocation_id', () => {
    current().reads.opaque = true;
    return inputs.run.invocationId;
  });
  dynamicGlobal('run_started_at', () => {
    current().reads.opaque = true;
    return new PyDateTime(inputs.run.startedAt.getTime());
  });
  dynamicGlobal('flags', () => {
    current().reads.opaque = true;
    return inputs.run.flags;
  });
  // The whole project: a render reading it depends on every file, so it is not cached.
  let graph: ReturnType<ContextInputs['graph']> | undefined;
  dynamicGlobal('graph', () => {
    current().reads.opaque = true;
    return (graph ??= inputs.graph());
  });
  // A target setting made from a secret (a schema read from SF_SECRET_*) fails when read.
  env.addGlobal('target', guardSecretFields(inputs.target, secrets, (key) => {
    secretRead(current(), `target.${key}`, new RegExp(`\\btarget\\.${key}\\b`));
    return '';
  }));
  // sf.batch_start / sf.batch_end: the batch's window as SQL literals ([start, end)); absent
  // outside a batch. sf.partition: the partition key being built (`2026-06-01`).
  env.addGlobal('sf', {
    get is_batch() { return current().ctx.batch !== undefined; },
    get batch_start() {
      const batch = current().ctx.batch;
      return batch ? inputs.timeLiteral(batch.start) : undefined;
    },
    get batch_end() {
      const end = current().ctx.batch?.end;
      return end ? inputs.timeLiteral(end) : undefined;
    },
    get partition() { return current().ctx.batch?.partition; },
  });
}
