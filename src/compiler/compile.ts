// Step 3: render every model's template once, collecting its config() and its refs, then
// resolve refs to relations (or inlined CTEs for ephemeral models). All template errors of
// the project are collected and thrown together.
import nunjucks from 'nunjucks';
import type { ResolvedConfig } from '../config/types.js';
import { mergeSettings } from '../parser/folder-settings.js';
import type { Manifest, ModelNode } from '../parser/nodes.js';
import type { Relation, SqlDialect } from '../adapters/types.js';
import { UserError, UserErrors } from '../util/errors.js';
import { secretValues } from '../util/secrets.js';
import { installGlobals, RESERVED_GLOBALS, THIS_TOKEN, TOKEN_PATTERN, type RenderState } from './context.js';
import { cteName, injectCtes } from './ephemeral.js';
import { templateError } from './template-errors.js';
import type { CompiledModel, CompiledProject, CompiledSeed, ResolvedModelSettings } from './types.js';

export interface CompileInputs {
  readonly config: ResolvedConfig;
  readonly manifest: Manifest;
  readonly dialect: SqlDialect;
  readonly targetName: string;
  /** `--vars`, over the config's vars. */
  readonly cliVars?: Readonly<Record<string, unknown>>;
  readonly env?: NodeJS.ProcessEnv;
}

interface Rendered {
  readonly node: ModelNode;
  readonly text: string;
  readonly state: RenderState;
}

export function compileProject(inputs: CompileInputs): CompiledProject {
  const { config, manifest, dialect } = inputs;
  const errors: UserError[] = [];
  const env = new nunjucks.Environment(null, { autoescape: false, dev: true, throwOnUndefined: false });
  let current: RenderState | undefined;
  const refable = new Set([...manifest.models.map((m) => m.name), ...manifest.seeds.map((s) => s.name)]);
  installGlobals(env, {
    refable,
    sources: config.sources,
    renderSource: (schema, table) => dialect.renderRelation({ schema, name: table }),
    vars: { ...config.vars, ...inputs.cliVars },
    env: inputs.env ?? process.env,
    target: Object.freeze({ name: inputs.targetName, type: dialect.engine, schema: dialect.defaultSchema }),
  }, () => current!);

  loadMacros(env, manifest, errors);
  const secrets = secretValues(inputs.env ?? process.env);

  const resolvedRelation = (node: ModelNode, state: RenderState): Relation => {
    const settings = mergeSettings(node.folderSettings, state.settings);
    return { schema: settings.schema ?? dialect.defaultSchema, name: settings.alias ?? node.name };
  };

  const rendered: Rendered[] = [];
  for (const node of manifest.models) {
    const state: RenderState = { node, settings: {}, refs: new Set(), sources: new Map(), errors: [] };
    current = state;
    let template: nunjucks.Template;
    try {
      template = new nunjucks.Template(node.rawSql, env, node.path, true);
    } catch (err) {
      errors.push(templateError(err, node.path, 'parse'));
      continue;
    }
    try {
      const text = template.render({ this: thisRelation(() => resolvedRelation(node, state)) });
      errors.push(...state.errors, ...secretLeaks(node, text, secrets));
      rendered.push({ node, text, state });
    } catch (err) {
      errors.push(...state.errors, templateError(err, node.path, 'render'));
    }
    current = undefined;
  }
  UserErrors.throwIfAny(errors);

  return link(rendered, manifest, dialect, config, errors, resolvedRelation);
}

function link(
  rendered: readonly Rendered[],
  manifest: Manifest,
  dialect: SqlDialect,
  config: ResolvedConfig,
  errors: UserError[],
  relationOf: (node: ModelNode, state: RenderState) => Relation,
): CompiledProject {
  const seeds: CompiledSeed[] = manifest.seeds.map((node) => ({
    node,
    relation: { schema: config.seeds.schema ?? dialect.defaultSchema, name: node.name },
  }));
  const settingsOf = new Map<string, ResolvedModelSettings>();
  for (const r of rendered) {
    const merged = mergeSettings(r.node.folderSettings, r.state.settings);
    settingsOf.set(r.node.name, { ...merged, materialized: merged.materialized ?? 'view', tags: merged.tags ?? [] });
  }
  const enabled = rendered.filter((r) => settingsOf.get(r.node.name)!.enabled !== false);
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
  }
  UserErrors.throwIfAny(errors);

  const relations = new Map<string, Relation>(seeds.map((s) => [s.node.name, s.relation]));
  for (const r of enabled) relations.set(r.node.name, relationOf(r.node, r.state));
  const byName = new Map(enabled.map((r) => [r.node.name, r]));

  // Resolve placeholders; ephemeral refs become CTE names, whose bodies are injected on top.
  const resolved = new Map<string, string>();
  const resolving = new Set<string>();
  const resolve = (r: Rendered): string => {
    const done = resolved.get(r.node.name);
    if (done !== undefined) return done;
    if (resolving.has(r.node.name)) return r.text; // an ephemeral cycle: the graph stage reports it
    resolving.add(r.node.name);
    const ctes: { name: string; sql: string }[] = [];
    const body = r.text.replace(TOKEN_PATTERN, (_m, refName: string | undefined) => {
      if (refName === undefined) return dialect.renderRelation(relations.get(r.node.name)!);
      const dep = byName.get(refName);
      if (dep && settingsOf.get(refName)!.materialized === 'ephemeral') {
        const name = cteName(refName);
        if (!ctes.some((c) => c.name === name)) ctes.push({ name, sql: resolve(dep) });
        return name;
      }
      return dialect.renderRelation(relations.get(refName)!);
    });
    const sql = injectCtes(body, ctes);
    resolved.set(r.node.name, sql);
    resolving.delete(r.node.name);
    return sql;
  };

  const models: CompiledModel[] = enabled.map((r) => ({
    node: r.node,
    settings: settingsOf.get(r.node.name)!,
    relation: relations.get(r.node.name)!,
    sql: resolve(r).trim().replace(/;\s*$/, ''),
    refs: [...r.state.refs],
    sources: [...r.state.sources.values()],
  }));
  return { models, seeds };
}

function loadMacros(env: nunjucks.Environment, manifest: Manifest, errors: UserError[]): void {
  const definedIn = new Map<string, string>();
  for (const file of manifest.macros) {
    let template: nunjucks.Template;
    try {
      template = new nunjucks.Template(file.source, env, file.path, true);
    } catch (err) {
      errors.push(templateError(err, file.path, 'parse'));
      continue;
    }
    let exported: Record<string, unknown> = {};
    // getExported runs synchronously for templates without async filters.
    (template as unknown as { getExported(ctx: object, frame: null, cb: (e: unknown, v: Record<string, unknown>) => void): void })
      .getExported({}, null, (err, value) => {
        if (err) errors.push(templateError(err, file.path, 'render'));
        else exported = value;
      });
    for (const [name, fn] of Object.entries(exported)) {
      if (typeof fn !== 'function') continue;
      const line = file.source.slice(0, file.source.search(new RegExp(`macro\\s+${name}\\b`))).split('\n').length;
      if (RESERVED_GLOBALS.includes(name)) {
        errors.push(new UserError('TEMPLATE_SYNTAX', `macro '${name}' shadows the built-in ${name}()`, {
          location: { file: file.path, line },
          hint: 'rename the macro',
        }));
      } else if (definedIn.has(name)) {
        errors.push(new UserError('DUPLICATE_NODE', `macro '${name}' is defined twice: ${definedIn.get(name)} and ${file.path}`, {
          location: { file: file.path, line },
          hint: 'rename or remove one of them',
        }));
      } else {
        definedIn.set(name, file.path);
        env.addGlobal(name, fn);
      }
    }
  }
}

/** A secret's value reaching SQL by any path (a var set from one, a macro) is refused. */
function secretLeaks(node: ModelNode, text: string, secrets: readonly string[]): UserError[] {
  return secrets.some((value) => text.includes(value))
    ? [new UserError('SECRET_IN_TEMPLATE', `model '${node.name}' renders the value of a secret environment variable into its SQL`, {
        location: { file: node.path },
        hint: 'secrets (SF_SECRET_*, the Postgres password) may only be used in target settings',
      })]
    : [];
}

/** `this` in a template: prints as the model's relation, resolved after config() is known. */
function thisRelation(relation: () => Relation): object {
  return {
    toString: () => THIS_TOKEN,
    get schema() { return relation().schema; },
    get name() { return relation().name; },
    get identifier() { return relation().name; },
  };
}
