// A dbt project (dbt_project.yml) as an sf config: its name, where its files are, its vars, the
// per-folder configs of its models and seeds, and the targets of its profile (profiles.yml).
// Keys sf has no use for (clean-targets, require-dbt-version, flags, query-comment, ...) are
// ignored; what sf does not do yet is said once each, never silently dropped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { dialectFor, targetSchema } from '../adapters/registry.js';
import { freshnessSchema, modelSettingsSchema, formatZodIssues } from '../config/schema.js';
import type { FreshnessRule, ModelSettings, ProjectPaths, ResolvedConfig, SeedSettings } from '../config/types.js';
import { IGNORED_KEYS, renderYamlValues } from '../parser/yaml-render.js';
import { UserError, UserErrors } from '../util/errors.js';
import { configsOf, SEED_CONFIG_KEYS, seedHooks, SOURCE_CONFIG_KEYS, TEST_CONFIG_KEYS } from './config-keys.js';
import type { SourceDefaults } from '../parser/properties.js';
import { installedPackages } from './packages.js';
import { loadProfile } from './profiles.js';
import { readResourceTree } from './resource-tree.js';

export const DBT_PROJECT_FILE = 'dbt_project.yml';

export interface DbtLoadOptions {
  readonly profilesDir?: string | undefined;
  readonly profile?: string | undefined;
  readonly target?: string | undefined;
  /** --vars: over the project's, and the only vars dbt_project.yml itself can read. */
  readonly cliVars: Readonly<Record<string, unknown>>;
  readonly env: NodeJS.ProcessEnv;
}

export function isDbtProject(dir: string): boolean {
  return existsSync(join(dir, DBT_PROJECT_FILE));
}

/** Top-level keys of dbt_project.yml that change nothing sf does. */
const IGNORED = new Set([
  'config-version', 'version', 'require-dbt-version', 'clean-targets', 'target-path', 'log-path',
  'packages-install-path', 'flags', 'query-comment', 'quoting', 'analysis-paths', 'docs-paths', 'asset-paths',
  'function-paths', 'restrict-access', 'dbt-cloud', 'semantic-models', 'saved-queries', 'metrics', 'exposures',
  'unit_tests', 'snapshot-paths', 'profile', 'name', 'tests', 'data_tests', 'dispatch', 'on-run-start', 'on-run-end', 'sources',
  'model-paths', 'source-paths', 'seed-paths', 'data-paths', 'macro-paths', 'test-paths', 'vars', 'models', 'seeds',
]);
/** Keys whose work sf does not do: said once. */
const NOT_DONE: Readonly<Record<string, string>> = {
  snapshots: 'sf does not build snapshots yet',
};

export function loadDbtProject(projectDir: string, options: DbtLoadOptions): ResolvedConfig {
  const configPath = join(projectDir, DBT_PROJECT_FILE);
  const file = DBT_PROJECT_FILE;
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(configPath, 'utf8'), { lineCounter: lines, prettyErrors: false, merge: true });
  const lineOf = (n: unknown) => ((n as Node | null)?.range ? lines.linePos((n as Node).range![0]).line : undefined);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new UserError('CONFIG_INVALID', `YAML syntax error: ${e.message.split('\n')[0]}`, {
      location: { file, line: lines.linePos(e.pos[0]).line }, hint: 'check the indentation and the quoting around this line',
    });
  }
  if (!isMap(doc.contents)) throw new UserError('CONFIG_INVALID', 'dbt_project.yml should be a mapping (name:, profile:, models:, ...)', { location: { file } });
  const top = doc.contents;
  const name = top.get('name');
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UserError('CONFIG_INVALID', `name: ${name === undefined ? 'missing' : `'${String(name)}' is not a project name`}`, {
      location: { file, line: lineOf(top.get('name', true)) }, hint: 'a project name is letters, digits and _, not starting with a digit (name: my_project)',
    });
  }

  const profile = loadProfile(projectDir, typeof top.get('profile') === 'string' ? String(top.get('profile')) : undefined, {
    profilesDir: options.profilesDir, profile: options.profile, vars: options.cliVars, env: options.env,
  });
  const targetName = options.target ?? profile.defaultTarget;
  const target = profile.targets[targetName];
  // The schema models get, as loadProject picks it (an unknown target is its error, later).
  const schema = target ? dialectFor(target.type, targetSchema(target)).defaultSchema : '';
  // dbt renders dbt_project.yml with --vars (not its own vars), env_var and target.
  // vars are rendered where they are read (var() in a template), as dbt does: not here.
  const context = { vars: options.cliVars, env: options.env, target: { name: targetName, type: target?.type ?? '', schema } };
  const problems = top.items.filter((pair) => !(isScalar(pair.key) && (pair.key.value === 'vars' || IGNORED_KEYS.has(String(pair.key.value)))))
    .flatMap((pair) => renderYamlValues(pair.value, context));
  const errors: UserError[] = problems.map((p) => new UserError('CONFIG_INVALID', p.message, { location: { file, line: lineOf(p.node) } }));
  const warnings: string[] = [];
  const warnOnce = (line: number | undefined, message: string) => {
    if (!warnings.some((w) => w.endsWith(`: ${message}`))) warnings.push(`${file}${line ? `:${line}` : ''}: ${message}`);
  };

  for (const pair of top.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (NOT_DONE[key]) warnOnce(lineOf(pair.key), NOT_DONE[key]!);
    else if (!IGNORED.has(key)) warnOnce(lineOf(pair.key), `unknown key '${key}'; it is ignored`);
  }

  const values = doc.toJS() as Record<string, unknown>;
  const pathList = (keys: string[], fallback: string): string[] => {
    for (const key of keys) {
      const v = values[key];
      if (v === undefined || v === null) continue;
      return (Array.isArray(v) ? v : [v]).map((p) => String(p).replace(/^\.\//, '').replace(/\/+$/, ''));
    }
    return [fallback];
  };
  const paths: ProjectPaths = {
    models: pathList(['model-paths', 'source-paths'], 'models'),
    seeds: pathList(['seed-paths', 'data-paths'], 'seeds'),
    macros: pathList(['macro-paths'], 'macros'),
    tests: pathList(['test-paths'], 'tests'),
    snapshots: pathList(['snapshot-paths'], 'snapshots'),
  };

  const report = (line: number, message: string, error: boolean) => (error ? errors.push(new UserError('CONFIG_INVALID', message, { location: { file, line } })) : warnOnce(line, message));
  const models = readResourceTree(top.get('models', true), name, doc, lines);
  const seeds = readResourceTree(top.get('seeds', true), name, doc, lines);
  const modelFolders: Record<string, ModelSettings> = {};
  const modelCustom: Record<string, Record<string, unknown>> = {};
  for (const [path, entries] of models.byPath) {
    const custom: Record<string, unknown> = {};
    const settings = configsOf(entries, [], report, custom);
    if (Object.keys(custom).length) modelCustom[path] = custom;
    const parsed = modelSettingsSchema.safeParse(settings);
    if (!parsed.success) {
      const line = entries.find((e) => formatZodIssues(parsed.error).some((m) => m.includes(e.key)))?.line ?? entries[0]?.line;
      errors.push(new UserError('CONFIG_INVALID', `models${path ? ` (${path})` : ''}: ${formatZodIssues(parsed.error, '', modelSettingsSchema).join('; ')}`, { location: { file, line } }));
      continue;
    }
    modelFolders[path] = parsed.data as ModelSettings;
  }
  const seedFolders: Record<string, SeedSettings> = {};
  for (const [path, entries] of seeds.byPath) {
    seedFolders[path] = seedHooks(configsOf(entries, SEED_CONFIG_KEYS, report) as SeedSettings);
  }
  // sources: configs by source (`raw`) and table (`raw/orders`), under the property files'.
  const sources = readResourceTree(top.get('sources', true), name, doc, lines);
  const sourceFolders: Record<string, SourceDefaults> = {};
  for (const [path, entries] of sources.byPath) {
    const { freshness, ...rest } = configsOf(entries, SOURCE_CONFIG_KEYS, report) as SourceDefaults & { freshness?: unknown };
    const parsed = freshness === undefined || freshness === null ? undefined : freshnessSchema.safeParse(freshness);
    if (parsed && !parsed.success) {
      errors.push(new UserError('CONFIG_INVALID', `sources${path ? ` (${path})` : ''}: freshness: ${formatZodIssues(parsed.error).join('; ')}`, { location: { file, line: entries.find((e) => e.key.replace(/^\+/, '') === 'freshness')?.line } }));
      continue;
    }
    sourceFolders[path] = { ...rest, ...(freshness === null ? { freshness: null } : parsed?.success ? { freshness: parsed.data as FreshnessRule } : {}) };
  }
  const tests = readResourceTree(top.get('data_tests', true) ?? top.get('tests', true), name, doc, lines);
  const testFolders: Record<string, Record<string, unknown>> = {};
  for (const [path, entries] of tests.byPath) {
    testFolders[path] = configsOf(entries, TEST_CONFIG_KEYS, report);
  }
  const packages = installedPackages(projectDir, name, typeof values['packages-install-path'] === 'string' ? values['packages-install-path'] : undefined, warnings);
  for (const p of [...models.otherPackages, ...seeds.otherPackages, ...sources.otherPackages]) {
    warnOnce(p.line, packages.some((x) => x.name === p.name)
      ? `configs for '${p.name}' apply to the package's models and seeds, which sf does not build`
      : `configs for '${p.name}' apply to a package that is not installed`);
  }
  for (const p of tests.otherPackages) warnOnce(p.line, `test configs for '${p.name}' apply to tests declared in the package, which sf does not run`);
  const dispatch = dispatchOrders(top.get('dispatch', true), lineOf, errors);

  const vars = projectVars(values['vars'], name);
  UserErrors.throwIfAny(errors);
  return {
    projectDir,
    configPath,
    paths,
    seedFolders,
    testFolders,
    dbt: { profile: profile.name, profilesFile: profile.file },
    packages,
    dispatch,
    modelCustom,
    sourceFolders,
    onRunStart: hookList(values['on-run-start']),
    onRunEnd: hookList(values['on-run-end']),
    warnings,
    name,
    targets: profile.targets,
    defaultTarget: profile.defaultTarget,
    models: modelFolders,
    vars,
    sources: {},
    seeds: { schema: undefined, columnTypes: {}, delimiter: ',' },
  };
}

/** on-run-start / on-run-end: SQL, or a list of it (rendered when a run starts or ends). */
function hookList(value: unknown): string[] {
  return value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map(String);
}

/** `dispatch: [{macro_namespace: dbt_utils, search_order: [my_project, dbt_utils]}]`. */
function dispatchOrders(node: unknown, lineOf: (n: unknown) => number | undefined, errors: UserError[]): Record<string, string[]> {
  const orders: Record<string, string[]> = {};
  if (node === undefined || node === null) return orders;
  const hint = 'write dispatch: [{macro_namespace: dbt_utils, search_order: [my_project, dbt_utils]}]';
  const items = isSeq(node) ? node.items : [];
  if (!isSeq(node)) errors.push(new UserError('CONFIG_INVALID', 'dispatch: should be a list', { location: { file: DBT_PROJECT_FILE, line: lineOf(node) }, hint }));
  for (const item of items) {
    const entry = (isMap(item) ? item.toJSON() : undefined) as { macro_namespace?: unknown; search_order?: unknown } | undefined;
    const order = entry?.search_order;
    if (typeof entry?.macro_namespace !== 'string' || !Array.isArray(order) || !order.every((x) => typeof x === 'string')) {
      errors.push(new UserError('CONFIG_INVALID', 'a dispatch entry needs macro_namespace (a name) and search_order (a list of package names)', { location: { file: DBT_PROJECT_FILE, line: lineOf(item) }, hint }));
      continue;
    }
    orders[entry.macro_namespace] = order as string[];
  }
  return orders;
}

/**
 * dbt's vars: top-level keys are global, a key naming the project holds its own (winning over
 * the global ones). Other packages' scopes are kept out.
 */
function projectVars(all: unknown, project: string): Record<string, unknown> {
  if (!all || typeof all !== 'object' || Array.isArray(all)) return {};
  const own = (all as Record<string, unknown>)[project];
  const globals = Object.fromEntries(Object.entries(all as Record<string, unknown>).filter(([k]) => k !== project));
  return { ...globals, ...(own && typeof own === 'object' && !Array.isArray(own) ? own as Record<string, unknown> : {}) };
}
