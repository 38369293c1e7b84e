// Step 3: render every model's template once (is_incremental() false, no batch), collecting its
// config() and its refs, then resolve refs to relations (or inlined CTEs for ephemeral models).
// All template errors of the project are collected and thrown together. The result keeps the
// parsed templates, so a run can render a model again with what only the warehouse knows
// (is_incremental(), a batch's window): CompiledProject.render.
import nunjucks from 'nunjucks';
import type { ModelSettings, ResolvedConfig } from '../config/types.js';
import { sourceRelation } from '../config/sources.js';
import { mergeSettings } from '../parser/folder-settings.js';
import type { Manifest, ModelNode, SeedNode } from '../parser/nodes.js';
import type { GenericTestDeclaration } from '../parser/properties.js';
import { UntranslatableSql, type Relation, type SqlDialect } from '../adapters/types.js';
import { isUserError, userErrorsOf, UserError, UserErrors } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { holdsSecret, secretValues } from '../util/secrets.js';
import { relative } from 'node:path';
import { randomUUID } from 'node:crypto';
import { installGlobals, relationValue, token, type RenderState, type TokenTarget } from './context.js';
import { resolveTokens, type ResolveInputs } from './resolve.js';
import { checkIncrementalSettings } from './incremental-settings.js';
import { installJinjaCompat } from './jinja-compat.js';
import { crossDbMacros } from './cross-db.js';
import { relationNaming, type NamedNode } from './naming.js';
import { hashOf, noReads, RenderCache, type CachedRender, type CurrentInputs } from './render-cache.js';
import { staticRender } from './static-calls.js';
import { templateError } from './template-errors.js';
import { installWarehouseGlobals, NeedsWarehouse, relationObject, type WarehouseAnswers } from './warehouse.js';
import { dispatcher, loadMacros } from './macros.js';
import { PRINTING_UNDEFINED_FAILS } from './undefined-names.js';
import './sandbox.js';
import { lineAt, scanStatements } from './sql-statements.js';
import { cycleAmong } from '../graph/graph.js';
import {
  STATIC_CONTEXT,
  type CompiledModel,
  type CompiledProject,
  type CompiledSeed,
  type CompiledTest,
  type RenderContext,
  type ResolvedModelSettings,
  type Snippet,
} from './types.js';

export interface CompileInputs {
  readonly config: ResolvedConfig;
  readonly manifest: Manifest;
  readonly dialect: SqlDialect;
  readonly targetName: string;
  /** `--vars`, over the config's vars. */
  readonly cliVars?: Readonly<Record<string, unknown>>;
  readonly env?: NodeJS.ProcessEnv;
  /** Where first renders are kept between compiles (render-cache.ts); none: render everything. */
  readonly cachePath?: string | undefined;
  /** Settings and dependencies only (`sf ls`): models' `sql` is left empty. */
  readonly listOnly?: boolean | undefined;
  /** The target's database, as dbt's adapters name it (target.database). */
  readonly database?: string | undefined;
  /** The run this compile serves: dbt's invocation_id, run_started_at and flags. */
  readonly run?: { readonly invocationId?: string; readonly startedAt?: Date; readonly fullRefresh?: boolean; readonly which?: string } | undefined;
}

interface Rendered {
  readonly node: ModelNode;
  readonly text: string;
  readonly state: RenderState;
}

export function compileProject(inputs: CompileInputs): CompiledProject {
  const { config, manifest, dialect } = inputs;
  const errors: UserError[] = [];
  const env = new nunjucks.Environment(null, { autoescape: false, dev: true, ...PRINTING_UNDEFINED_FAILS });
  let current: RenderState | undefined;
  // A render that reads the clock (modules.datetime...now()) is not kept in the render cache.
  installJinjaCompat(env, () => {
    if (current) current.reads.opaque = true;
  });
  // Filled once every model is rendered; until then a relation is guessed from folder settings.
  const relations = new Map<string, Relation>();
  const modelByName = new Map(manifest.models.map((m) => [m.name, m]));
  const relationOf = (target: Exclude<TokenTarget, { kind: 'this' }>): Relation => {
    if (target.kind === 'source') return sourceRelation(config.sources, target.source, target.table);
    const known = relations.get(target.name);
    if (known) return known;
    const node = modelByName.get(target.name)!;
    return modelRelation(node, node.folderSettings);
  };

  const vars = { ...config.vars, ...inputs.cliVars };
  const processEnv = inputs.env ?? process.env;
  const refable = new Set([...manifest.models.map((m) => m.name), ...manifest.seeds.map((s) => s.name)]);
  const target = Object.freeze({
    name: inputs.targetName, type: dialect.engine, schema: dialect.defaultSchema,
    ...(config.dbt ? { profile_name: config.dbt.profile } : {}),
    ...(inputs.database ? { database: inputs.database } : {}),
  });
  installGlobals(env, {
    refable,
    sources: config.sources,
    relationOf,
    vars,
    env: processEnv,
    target,
    timeLiteral: (iso) => dialect.timeLiteral(iso),
    project: config.name,
    run: {
      invocationId: inputs.run?.invocationId ?? randomUUID(),
      startedAt: inputs.run?.startedAt ?? new Date(),
      flags: { FULL_REFRESH: inputs.run?.fullRefresh ?? false, STORE_FAILURES: false, WHICH: inputs.run?.which ?? 'compile' },
    },
    graph: () => graphContext(config, manifest),
  }, () => current!);

  // dbt's cross-database macros, as dbt.<name> and by the bare name (a project macro of the name wins).
  const crossDb = crossDbMacros(dialect.engine);
  for (const [name, fn] of Object.entries(crossDb)) env.addGlobal(name, fn);
  // dbt's doc('name'): the text of a {% docs %} block of the project's .md files.
  env.addGlobal('doc', (name: unknown) => {
    const text = manifest.docs[String(name)];
    if (text !== undefined) return text;
    const near = didYouMean(String(name), Object.keys(manifest.docs));
    throw new Error(`doc('${String(name)}'): no {% docs ${String(name)} %} block in the project's .md files${near ? ` (${near})` : ''}`);
  });
  // run_query, statement, load_result, execute, api: before the project's macros, which may replace them.
  const adapterGlobal: Record<string, unknown> = {};
  installWarehouseGlobals(env, dialect, adapterGlobal, () => {
    const state = current!;
    const self = () => relations.get(state.node.name) ?? { schema: dialect.defaultSchema, name: state.node.name };
    return {
      answers: state.live,
      results: state.results,
      markLive: () => {
        state.liveRead = true;
        state.reads.opaque = true;
      },
      // As the engine runs it: SQLite gets SQL written for other engines translated, as models do.
      resolve: (sql) => dialect.adaptModelSql(resolveTokens(sql, self(), resolveInputs)),
      names: (text) => resolveTokens(text, self(), resolveInputs),
      emit: state.hookStatements ? (sql) => state.hookStatements!.push(sql) : undefined,
    };
  });
  const macros = loadMacros(env, manifest, (config.packages ?? []).map((p) => p.name), errors, (name) => current?.reads.macros.add(name));
  const macroHashes = macros.hashes;
  const naming = relationNaming({
    dbt: config.dbt !== undefined,
    targetSchema: dialect.defaultSchema,
    macro: (name) => (macroHashes.has(name) ? env.getGlobal(name) as (...args: unknown[]) => unknown : undefined),
    asRender: (node, call) => {
      const saved = current;
      const state = freshState({ kind: 'model', id: node.unique_id, name: node.name, path: node.original_file_path, rawSql: '', folderSettings: {} }, STATIC_CONTEXT, {});
      current = state;
      try {
        return call();
      } finally {
        errors.push(...state.errors);
        current = saved;
      }
    },
    errors,
  });
  const named = (node: ModelNode | SeedNode, settings: Readonly<Record<string, unknown>>): NamedNode => ({
    name: node.name, resource_type: node.kind, unique_id: node.id, path: node.path, original_file_path: node.path, package_name: config.name, config: settings,
  });
  function modelRelation(node: ModelNode, settings: Readonly<ModelSettings>): Relation {
    const n = named(node, settings);
    return { schema: naming.schema(n, settings.schema), name: naming.alias(n, settings.alias) };
  }
  const seeds: CompiledSeed[] = manifest.seeds.map((node) => {
    const n = named(node, { schema: node.schema, alias: node.alias });
    return { node, relation: { schema: naming.schema(n, node.schema ?? config.seeds.schema), name: naming.alias(n, node.alias) } };
  });
  for (const s of seeds) relations.set(s.node.name, s.relation);
  const dispatch = dispatcher(macros, { project: config.name, engine: dialect.engine, searchOrders: config.dispatch ?? {}, builtin: crossDb, globalMacro: (name) => (macroHashes.has(name) ? env.getGlobal(name) : undefined) });
  env.addGlobal('adapter', Object.assign(adapterGlobal, {
    dispatch,
    quote: (identifier: unknown) => dialect.quoteIdentifier(String(identifier)),
  }));
  // dbt.<name>(...) dispatches as dbt's own macros do: a project's <engine>__name or default__name first.
  env.addGlobal('dbt', Object.fromEntries(Object.keys(crossDb).map((name) => [name, (...args: unknown[]) => (dispatch(name, 'dbt') as (...a: unknown[]) => unknown)(...args)])));
  /** Names a template can print, for "did you mean" on an undefined one. */
  const knownNames = () => Object.keys((env as unknown as { globals: Record<string, unknown> }).globals);
  const secrets = secretValues(processEnv);
  const cache = new RenderCache(inputs.cachePath, { target, secrets: secrets.map(hashOf) });
  const now: CurrentInputs = {
    varHash: (name) => (name in vars ? hashOf(['set', vars[name]]) : 'unset'),
    envHash: (name) => (processEnv[name] === undefined ? 'unset' : hashOf(['set', processEnv[name]])),
    macroHash: (name) => macroHashes.get(name),
  };
  /** A cached render whose refs and sources would still resolve (else rendering says why not). */
  const stillResolves = (hit: CachedRender) => hit.refs.every((r) => refable.has(r))
    && hit.sources.every((s) => config.sources[s.source]?.tables.includes(s.table));
  // Names and settings from the config reach templates (this, ref(), source(), config.get):
  // none may hold a secret, whether or not a template prints it.
  for (const [what, value] of [
    ["the target's schema", dialect.defaultSchema], ['models (folder settings)', config.models], ['sources', config.sources], ['seeds', config.seeds],
  ] as const) {
    if (holdsSecret(value, secrets)) {
      errors.push(new UserError('SECRET_IN_TEMPLATE', `config: ${what}: a value holds the value of a secret environment variable`, {
        location: { file: relative(config.projectDir, config.configPath) }, hint: SECRETS_HINT,
      }));
    }
  }
  const ownRelation = (node: ModelNode, state: RenderState): Relation => {
    return modelRelation(node, mergeSettings(node.folderSettings, state.known, state.settings));
  };

  /** The SQL that will run, checked for every secret value (one in a relation name too). */
  const noSecrets = (sql: string, node: ModelNode, errors: UserError[]) => {
    errors.push(...secretLeaks(node, sql, secrets));
    return sql;
  };

  /** The engine's form of a node's SQL; what cannot be translated for it is the node's error. */
  const adapt = (sql: string, node: { name: string; path: string }): string => {
    try {
      return dialect.adaptModelSql(sql);
    } catch (err) {
      if (!(err instanceof UntranslatableSql)) throw err;
      throw new UserError('MODEL_SQL', `'${node.name}' cannot run on ${dialect.engine} as written: ${err.message}`, {
        location: { file: node.path },
        hint: `the ${err.construct} is at line ${err.line} of its compiled SQL; write what ${dialect.engine} runs there, or use dbt's cross-database macros (dbt.dateadd, dbt.date_trunc, ...), which sf renders for each engine`,
      });
    }
  };

  const templates = new Map<string, nunjucks.Template>();
  /** Renders one model; its errors land in `state.errors` or are thrown (Nunjucks' own). */
  const renderOnce = (node: ModelNode, ctx: RenderContext, known: ResolvedModelSettings | object, template = node.name, extra: object = {}, live?: WarehouseAnswers, hookStatements?: string[]): Rendered => {
    const state = freshState(node, ctx, known as ModelSettings, live);
    if (hookStatements) state.hookStatements = hookStatements;
    current = state;
    try {
      // A model served from the render cache is parsed only if a run renders it again.
      if (!templates.has(template)) templates.set(template, new nunjucks.Template(node.rawSql, env, node.path, true));
      const text = templates.get(template)!.render({ this: relationValue({ kind: 'this' }, () => ownRelation(node, state)), ...extra });
      return { node, text, state };
    } catch (err) {
      // Nunjucks wraps what a global throws: a question for the warehouse goes to the caller.
      const cause = (err as { cause?: unknown }).cause;
      throw cause instanceof NeedsWarehouse ? cause : err;
    } finally {
      current = undefined;
    }
  };

  const rendered: Rendered[] = [];
  const reused = new Set<string>();
  /** A plain template's first render without Nunjucks (static-calls.ts), or undefined. */
  const renderStatically = (node: ModelNode): Rendered | undefined => {
    const state = freshState(node, STATIC_CONTEXT, {});
    current = state;
    try {
      const self = relationValue({ kind: 'this' }, () => ownRelation(node, state));
      // A global sees the render's context as Nunjucks gives it (`this.ctx`).
      const text = staticRender(node.rawSql, (call) => call.name === 'this'
        ? self
        : (env.getGlobal(call.name) as (...args: unknown[]) => unknown).apply({ ctx: { this: self } }, [...call.args]));
      return text === undefined ? undefined : { node, text, state };
    } finally {
      current = undefined;
    }
  };
  /** Reported only with other errors of this stage: without them, the later check (finish) says it. */
  const statementErrors: UserError[] = [];
  // Disabled by folder defaults: neither rendered nor validated (a broken draft stays quiet).
  const folderDisabled = manifest.models.filter((m) => m.folderSettings.enabled === false).map((m) => m.name);
  for (const node of manifest.models) {
    if (node.folderSettings.enabled === false) continue;
    const key = RenderCache.keyOf(node.rawSql, node.path, node.folderCustom ? [node.folderSettings, node.folderCustom] : node.folderSettings);
    const hit = cache.lookup(node.name, key, now);
    if (hit && stillResolves(hit)) {
      const state: RenderState = {
        ...freshState(node, STATIC_CONTEXT, {}), settings: hit.settings, refs: new Set(hit.refs),
        sources: new Map(hit.sources.map((s) => [`${s.source}.${s.table}`, s])), warnings: [...(hit.warnings ?? [])],
      };
      rendered.push({ node, text: hit.text, state });
      reused.add(node.name);
      continue;
    }
    let r = renderStatically(node);
    if (!r) {
      try {
        templates.set(node.name, new nunjucks.Template(node.rawSql, env, node.path, true));
      } catch (err) {
        errors.push(templateError(err, node.path, 'parse'));
        continue;
      }
    }
    try {
      r ??= renderOnce(node, STATIC_CONTEXT, {});
      errors.push(...r.state.errors);
      // One statement, not empty: checked now too (refs are still placeholders, which hold no
      // `;`), to be said with other template errors if there are any.
      if (r.state.errors.length === 0) {
        // A render with `execute` false may be empty (dbt_utils.union_relations): the live one is checked.
        if (!r.state.liveRead) oneStatement(r.text, node, statementErrors);
        const { settings, refs, sources, reads, warnings } = r.state;
        cache.store(node.name, key, { text: r.text, settings, refs: [...refs], sources: [...sources.values()], ...(warnings.length ? { warnings } : {}) }, reads, now);
      }
      rendered.push(r);
    } catch (err) {
      errors.push(templateError(err, node.path, 'render', { text: node.rawSql, names: knownNames() }));
    }
  }
  if (errors.length) {
    // Stopping here: say now about the statements, and a cycle among the models that rendered.
    errors.push(...statementErrors);
    const cycle = cycleAmong(new Map(rendered.map((r) => [r.node.name, [...r.state.refs]])), (name) => manifest.models.find((m) => m.name === name));
    if (cycle) errors.push(cycle);
  }
  // Kept even when other models failed: fixing one model re-renders only it.
  cache.save();
  UserErrors.throwIfAny(errors);

  // Settings, enabled models, relations.
  const settingsOf = new Map<string, ResolvedModelSettings>();
  for (const r of rendered) {
    const merged = mergeSettings(r.node.folderSettings, r.state.settings);
    settingsOf.set(r.node.name, { ...merged, materialized: merged.materialized ?? 'view', tags: merged.tags ?? [] });
    // A template reads its settings (config.get, this.name): none may hold a secret.
    if (holdsSecret(merged, secrets)) {
      errors.push(new UserError('SECRET_IN_TEMPLATE', `model '${r.node.name}': its settings (alias, schema, tags, ...) hold the value of a secret environment variable`, {
        location: { file: r.node.path }, hint: SECRETS_HINT,
      }));
    }
  }
  const enabled = rendered.filter((r) => settingsOf.get(r.node.name)!.enabled !== false);
  const disabled = [...folderDisabled, ...rendered.filter((r) => settingsOf.get(r.node.name)!.enabled === false).map((r) => r.node.name)].sort();
  const enabledNames = new Set([...enabled.map((r) => r.node.name), ...seeds.map((s) => s.node.name)]);
  for (const r of enabled) {
    for (const ref of r.state.refs) {
      if (!enabledNames.has(ref)) {
        errors.push(new UserError('REF_NOT_FOUND', `model '${r.node.name}' refs '${ref}', which is disabled (enabled: false)`, {
          location: { file: r.node.path },
          hint: `enable '${ref}' or stop referring to it`,
        }));
      }
    }
    errors.push(...checkIncrementalSettings(r.node, settingsOf.get(r.node.name)!));
  }
  UserErrors.throwIfAny(errors);
  for (const r of enabled) relations.set(r.node.name, ownRelation(r.node, r.state));

  // Resolve tokens; ephemeral models resolve once (statically) and are inlined where read.
  const byName = new Map(enabled.map((r) => [r.node.name, r]));
  const ephemeralCache = new Map<string, string>();
  const resolving = new Set<string>();
  const resolveInputs: ResolveInputs = {
    dialect,
    relationOf,
    ephemeralSql: (name) => {
      if (settingsOf.get(name)?.materialized !== 'ephemeral') return undefined;
      const cached = ephemeralCache.get(name);
      if (cached !== undefined) return cached;
      const dep = byName.get(name)!;
      if (resolving.has(name)) return dep.text; // an ephemeral cycle: the graph stage reports it
      resolving.add(name);
      const sql = scanStatements(resolveTokens(dep.text, relations.get(name)!, resolveInputs)).body;
      resolving.delete(name);
      ephemeralCache.set(name, sql);
      return sql;
    },
    eventTimeOf: (target) => target.kind === 'source'
      ? config.sources[target.source]?.eventTime[target.table]
      : settingsOf.get(target.name)?.event_time,
  };
  const finish = (text: string, node: ModelNode) =>
    collected(() => adapt(noSecrets(oneStatement(resolveTokens(text, relations.get(node.name)!, resolveInputs, undefined), node, errors), node, errors), node), errors);

  errors.push(...identifierLimits(dialect, [
    ...seeds.map((s) => ({ path: s.node.path, relation: s.relation })),
    ...enabled.filter((r) => settingsOf.get(r.node.name)!.materialized !== 'ephemeral').map((r) => ({ path: r.node.path, relation: relations.get(r.node.name)! })),
  ]));

  /**
   * A model rendered for a run: with `answers`, `execute` is true and a question the answers
   * do not hold throws NeedsWarehouse (warehouse.ts).
   */
  const render = (name: string, ctx: RenderContext, answers?: WarehouseAnswers): string => {
    const first = byName.get(name);
    if (!first) throw new Error(`render: no enabled model named ${name}`);
    let again: Rendered;
    try {
      again = renderOnce(first.node, ctx, settingsOf.get(name)!, first.node.name, {}, answers);
    } catch (err) {
      if (err instanceof NeedsWarehouse) throw err;
      throw templateError(err, first.node.path, 'render', { text: first.node.rawSql, names: knownNames() });
    }
    const unseen = [...again.state.refs].filter((ref) => !first.state.refs.has(ref));
    for (const ref of unseen) {
      again.state.errors.push(new UserError('REF_NOT_FOUND', `model '${name}' refs '${ref}' only when is_incremental() or execute is true, so its build order does not know it`, {
        location: { file: first.node.path },
        hint: `add a line \`-- depends_on: {{ ref('${ref}') }}\` outside the {% if %} block`,
      }));
    }
    const text = noSecrets(oneStatement(resolveTokens(again.text, relations.get(name)!, resolveInputs, ctx.batch), first.node, again.state.errors), first.node, again.state.errors);
    UserErrors.throwIfAny(again.state.errors);
    return adapt(text, first.node);
  };

  /**
   * The SQL a model runs. One that read `execute` renders again with it true; one that asks
   * the warehouse keeps its first render's SQL until it is rendered with the answers.
   */
  const sqlOf = (r: Rendered): { sql: string; asks?: true } => {
    if (inputs.listOnly) return { sql: '' };
    if (!r.state.liveRead) return { sql: finish(r.text, r.node) };
    try {
      return { sql: render(r.node.name, STATIC_CONTEXT, new Map()) };
    } catch (err) {
      // Until it is rendered with the answers: the first render's SQL, unchecked (it may be empty).
      if (err instanceof NeedsWarehouse) return { sql: collected(() => adapt(resolveTokens(r.text, relations.get(r.node.name)!, resolveInputs), r.node), errors), asks: true };
      if (!isUserError(err)) throw err;
      errors.push(...userErrorsOf(err));
      return { sql: '' };
    }
  };
  /**
   * A model's or seed's hook, rendered as the node is (`this` is its relation), with `execute`
   * true: the statements its adapter calls make (adapter.drop_relation, ...), then its own SQL.
   */
  const renderHook = (node: ModelNode, known: object, relation: Relation, text: string, template: string): string[] => {
    const hookNode = { ...node, rawSql: text };
    const statements: string[] = [];
    try {
      const hook = renderOnce(hookNode, STATIC_CONTEXT, known, template, { this: relationValue({ kind: 'this' }, () => relation) }, new Map(), statements);
      errors.push(...hook.state.errors);
      return [...statements, adapt(noSecrets(resolveTokens(hook.text, relation, resolveInputs).trim(), hookNode, errors), hookNode)].filter((sql) => sql !== '');
    } catch (err) {
      const cause = err instanceof NeedsWarehouse ? err : (err as { cause?: unknown }).cause;
      if (cause instanceof NeedsWarehouse) {
        errors.push(new UserError('MODEL_CONFIG', `a hook of ${node.id.split('.')[0]} '${node.name}' queries the warehouse while rendering (${cause.what}); sf renders hooks before the run`, { location: { file: node.path } }));
      } else errors.push(...(isUserError(err) ? userErrorsOf(err) : [templateError(err, node.path, 'render', { text, names: knownNames() })]));
      return [];
    }
  };
  const renderHooks = (node: ModelNode, known: object, relation: Relation, hooks: { pre_hook?: readonly string[]; post_hook?: readonly string[] }): CompiledModel['hooks'] => {
    const { pre_hook: pre = [], post_hook: post = [] } = hooks;
    if (inputs.listOnly || (!pre.length && !post.length)) return undefined;
    const rendered = (list: readonly string[], which: string) => list.flatMap((text, i) => renderHook(node, known, relation, text, `${which}:${node.id}:${i}`));
    return { pre: rendered(pre, 'pre_hook'), post: rendered(post, 'post_hook') };
  };
  const hooksOf = (r: Rendered) => renderHooks(r.node, settingsOf.get(r.node.name)!, relations.get(r.node.name)!, settingsOf.get(r.node.name)!);
  const models: CompiledModel[] = enabled.map((r) => {
    const { sql, asks } = sqlOf(r);
    const hooks = hooksOf(r);
    return {
      node: r.node,
      settings: settingsOf.get(r.node.name)!,
      relation: relations.get(r.node.name)!,
      sql,
      ...(asks ? { asksWarehouse: true } : {}),
      ...(hooks ? { hooks } : {}),
      refs: [...r.state.refs],
      sources: [...r.state.sources.values()],
    };
  });

  // Singular tests render like models (ref, source, macros), with nothing to configure.
  const tests: CompiledTest[] = [];
  for (const test of inputs.listOnly ? [] : manifest.tests) {
    const asModel: ModelNode = { kind: 'model', id: test.id, name: test.name, path: test.path, rawSql: test.rawSql, folderSettings: {} };
    try {
      templates.set(`test:${test.name}`, new nunjucks.Template(test.rawSql, env, test.path, true));
      const r = renderOnce(asModel, STATIC_CONTEXT, {}, `test:${test.name}`);
      errors.push(...r.state.errors);
      const finishTest = (text: string, into: UserError[]) => adapt(noSecrets(oneStatement(resolveTokens(text, { schema: dialect.defaultSchema, name: test.name }, resolveInputs), asModel, into), asModel, into), test);
      // As dbt runs tests: with `execute` true (the first render, false, found its refs). One that
      // asks the warehouse is rendered again when it runs, with the answers.
      const live = (answers: WarehouseAnswers) => {
        const again = renderOnce(asModel, STATIC_CONTEXT, {}, `test:${test.name}`, {}, answers);
        const problems: UserError[] = [...again.state.errors];
        const sql = finishTest(again.text, problems);
        UserErrors.throwIfAny(problems);
        return sql;
      };
      let sql = '';
      let render: CompiledTest['render'];
      if (!r.state.liveRead) sql = collected(() => finishTest(r.text, errors), errors);
      else {
        try {
          sql = live(new Map());
        } catch (err) {
          if (err instanceof NeedsWarehouse) render = live;
          else if (isUserError(err)) errors.push(...userErrorsOf(err));
          else throw err;
        }
      }
      if (r.state.testConfig?.enabled !== false) {
        tests.push({ node: test, sql, ...(render ? { render } : {}), refs: [...r.state.refs], sources: [...r.state.sources.values()], config: r.state.testConfig ?? {} });
      }
    } catch (err) {
      errors.push(templateError(err, test.path, 'parse', { text: test.rawSql, names: knownNames() }));
    }
  }
  UserErrors.throwIfAny(errors);

  /** Renders template text outside a model (a test's call, a templated `where`), with its refs. */
  const renderLoose = (text: string, at: { name: string; file: string; line?: number | undefined }, extra: object, what: string, hint: string, answers?: WarehouseAnswers): Snippet => {
    const key = `loose:${text}`;
    const asModel: ModelNode = { kind: 'model', id: `test.${at.name}`, name: at.name, path: at.file, rawSql: text, folderSettings: {} };
    const location = { file: at.file, line: at.line };
    let r: Rendered;
    try {
      if (!templates.has(key)) templates.set(key, new nunjucks.Template(text, env, at.file, true));
      r = renderOnce(asModel, STATIC_CONTEXT, {}, key, extra, answers);
    } catch (err) {
      if (err instanceof NeedsWarehouse) throw err;
      // Nunjucks' words made sf's (an undefined name, with the closest one), under `what`.
      const e = templateError(err, at.file, 'render', { text, names: knownNames() });
      throw new UserError(e.code, `${what}: ${e.message.replace(/^template error: /, '')}`, { location: { file: at.file, line: at.line ?? e.location?.line }, hint: e.hint ?? hint });
    }
    UserErrors.throwIfAny(r.state.errors.map((e) => new UserError(e.code, `${what}: ${e.message}`, { location, hint: e.hint })));
    const sql = resolveTokens(r.text, { schema: dialect.defaultSchema, name: at.name }, resolveInputs).trim().replace(/;\s*$/, '');
    const leaks = secretLeaks(asModel, sql, secrets);
    if (leaks.length) throw new UserError(leaks[0]!.code, `${what}: ${leaks[0]!.message}`, { location, hint: leaks[0]!.hint });
    return { sql: adapt(sql, asModel), refs: [...r.state.refs], ...(r.state.testConfig ? { testConfig: r.state.testConfig } : {}) };
  };

  /**
   * A project's generic test (`{% test name(model, column_name, ...) %}`) called as dbt calls
   * it: `model` is the tested relation (narrowed by `where`), arguments that look like ref(),
   * source(), var() or env_var() calls are evaluated, the others passed as they are.
   */
  const renderGenericTest = (t: GenericTestDeclaration, tested: Relation, answers?: WarehouseAnswers): Snippet => {
    const kwargs = Object.entries({ ...(t.column ? { column_name: t.column } : {}), ...t.args }).map(([key, value]) =>
      typeof value === 'string' && key !== 'column_name' && /^\s*(ref|source|var|env_var)\s*\(.+\)\s*$/s.test(value)
        ? `${key}=${value.trim()}`
        : `${key}=__sf_args[${JSON.stringify(key)}]`);
    const text = `{{ ${t.macro ?? `test_${t.test}`}(model=__sf_model${kwargs.map((k) => `, ${k}`).join('')}) }}`;
    // `model` reads as dbt's Relation; narrowed by `where`, it prints as the subquery.
    const model = dialect.renderRelation(tested);
    const where = relationObject(dialect, tested, t.config.where ? `(select * from ${model} where ${t.config.where}) as dbt_subquery` : model);
    // A copy: a test block may change its arguments (dbt_utils appends to a list it is given).
    return renderLoose(text, t, { __sf_model: where, __sf_args: structuredClone({ column_name: t.column, ...t.args }) },
      `test ${t.name} (${t.test})`, `check the {% test ${t.test}(...) %} block and the arguments given here`, answers);
  };

  const renderSnippet = (text: string, at: { name: string; file: string; line?: number | undefined; what?: string }, extra: object = {}): Snippet =>
    renderLoose(text, at, extra, at.what ?? `test ${at.name}`, at.what ? `check the template in ${at.file}` : 'check the templated value declared here');

  const warnings = [...macros.warnings, ...new Set(enabled.flatMap((r) => r.state.warnings))];
  // A seed's hooks render as a model's would, with `this` the seed's table.
  const seedsWithHooks = seeds.map((seed): CompiledSeed => {
    const asModel: ModelNode = { kind: 'model', id: seed.node.id, name: seed.node.name, path: seed.node.path, rawSql: '', folderSettings: {} };
    const hooks = seed.node.hooks && renderHooks(asModel, {}, seed.relation, seed.node.hooks);
    return hooks ? { ...seed, hooks } : seed;
  });
  const inlineEphemeral = (sql: string, model: string): string => {
    const rel = relations.get(model)!;
    return resolveTokens(sql.split(dialect.renderRelation(rel)).join(token({ kind: 'ref', name: model })), rel, resolveInputs);
  };
  return { models, seeds: seedsWithHooks, tests, disabled, warnings, reused, render, renderGenericTest, renderSnippet, inlineEphemeral };
}

/**
 * An engine that cuts long identifiers (PostgreSQL at 63 bytes) would build two models whose
 * names differ only past the limit into one table: refuse such names at compile time.
 */
function identifierLimits(dialect: SqlDialect, nodes: readonly { path: string; relation: Relation }[]): UserError[] {
  const limit = dialect.capabilities.maxIdentifierBytes;
  if (limit === undefined) return [];
  const cut = (name: string) => Buffer.from(name, 'utf8').subarray(0, limit).toString('utf8');
  const byCut = new Map<string, string[]>();
  for (const n of nodes) byCut.set(`${n.relation.schema}.${cut(n.relation.name)}`, [...(byCut.get(`${n.relation.schema}.${cut(n.relation.name)}`) ?? []), n.path]);
  return nodes.flatMap((n) => {
    const bytes = Buffer.byteLength(n.relation.name, 'utf8');
    if (bytes <= limit) return [];
    const others = byCut.get(`${n.relation.schema}.${cut(n.relation.name)}`)!.filter((p) => p !== n.path);
    return [new UserError('MODEL_SQL', `relation name '${n.relation.name}' is ${bytes} bytes; ${dialect.engine} cuts names at ${limit}${others.length ? `, which makes it the same table as ${others.join(', ')}` : ''}`, {
      location: { file: n.path }, hint: `shorten the file name, or set a shorter alias: {{ config(alias='...') }}`,
    })];
  });
}

/**
 * A model (or test) is one statement: a second one would run unseen (`select 1; drop table x`),
 * and none is no model. A final `;` and comments are fine. The error names the line of the
 * template where the second statement starts, when it is written there (not made by a macro).
 */
function oneStatement(sql: string, node: Pick<ModelNode, 'path' | 'rawSql' | 'name'>, errors: UserError[]): string {
  const scan = scanStatements(sql);
  if (scan.count === 1) return scan.body;
  if (scan.count === 0) {
    errors.push(new UserError('MODEL_SQL', `'${node.name}' renders no SQL: it is empty or only comments`, {
      location: { file: node.path }, hint: 'write the select statement the model builds, or delete the file',
    }));
  } else {
    const raw = scanStatements(node.rawSql, { template: true });
    errors.push(new UserError('MODEL_SQL', `'${node.name}' holds ${scan.count} SQL statements; a model or test is one select statement`, {
      location: { file: node.path, line: raw.secondAt === undefined ? undefined : lineAt(node.rawSql, raw.secondAt) },
      hint: raw.secondAt === undefined
        ? 'a macro it calls ends its statement with `;` and adds another: make the macro return one expression or query'
        : 'remove the `;` and what follows it (another statement belongs in its own model)',
    }));
  }
  return scan.body;
}

/** dbt's `graph`: nodes (models, seeds, tests) and sources by unique id, as the project declares them. */
function graphContext(config: ResolvedConfig, manifest: Manifest): { nodes: Record<string, object>; sources: Record<string, object> } {
  const nodes: Record<string, object> = {};
  for (const n of [...manifest.models, ...manifest.seeds, ...manifest.tests]) {
    nodes[n.id] = {
      unique_id: n.id, name: n.name, resource_type: n.kind, package_name: config.name, original_file_path: n.path, path: n.path.split('/').slice(1).join('/'),
      config: n.kind === 'model' ? { ...n.folderCustom, ...n.folderSettings } : {}, tags: n.kind === 'model' ? n.folderSettings.tags ?? [] : n.kind === 'seed' ? n.tags ?? [] : [],
    };
  }
  const sources: Record<string, object> = {};
  for (const [source, s] of Object.entries(config.sources)) {
    for (const table of s.tables) {
      const id = `source.${config.name}.${source}.${table}`;
      sources[id] = { unique_id: id, name: table, source_name: source, schema: s.schema, identifier: s.details[table]?.identifier ?? table, resource_type: 'source', package_name: config.name };
    }
  }
  return { nodes, sources };
}

/** `make()`, or '' with its UserError collected (to be said with the others of its stage). */
function collected(make: () => string, errors: UserError[]): string {
  try {
    return make();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    errors.push(err);
    return '';
  }
}

/** The state of a render that has read nothing yet. */
function freshState(node: ModelNode, ctx: RenderContext, known: Readonly<ModelSettings>, live?: WarehouseAnswers): RenderState {
  return { node, ctx, known, settings: {}, refs: new Set(), sources: new Map(), errors: [], warnings: [], custom: {}, reads: noReads(), live, results: new Map(), liveRead: false };
}

/** A secret's value reaching SQL by any path (a var set from one, a macro) is refused. */
const SECRETS_HINT = 'secrets (SF_SECRET_*, the Postgres password) may only be used in connection settings; a schema or alias set from one puts it in every relation name';

function secretLeaks(node: ModelNode, text: string, secrets: readonly string[]): UserError[] {
  return holdsSecret(text, secrets)
    ? [new UserError('SECRET_IN_TEMPLATE', `model '${node.name}' renders the value of a secret environment variable into its SQL`, {
        location: { file: node.path },
        hint: SECRETS_HINT,
      })]
    : [];
}
