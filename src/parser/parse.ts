// Step 2: read the project's files into a Manifest of frozen nodes. Collects every duplicate
// name at once rather than stopping at the first.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import { deepFreeze } from '../config/load.js';
import { resourcePath, type ProjectFiles } from '../project/discover.js';
import { UserError, UserErrors, type Location } from '../util/errors.js';
import { folderSettingsFor, mergeSettings } from './folder-settings.js';
import { configsOf, SEED_CONFIG_KEYS, seedHooks } from '../dbt/config-keys.js';
import { builtinPackagesFor } from '../dbt/builtin-packages.js';
import { formatZodIssues, indexesSchema, modelSettingsSchema } from '../config/schema.js';
import type { IndexConfig, ModelSettings, SeedSettings } from '../config/types.js';
import { parseProperties, type NodeConfig, type SourceDefaults } from './properties.js';
import type { YamlContext } from './yaml-render.js';
import type { MacroFile, Manifest, ModelNode, SeedNode, TestNode } from './nodes.js';

/**
 * A model's or seed's name (its file name): letters of any alphabet, digits, `_`, spaces, `.`
 * and `-`, starting with a letter, digit or `_`. Every relation name is quoted, so all of these
 * work on every engine (conformance/identifiers.test.ts); quotes, slashes and control
 * characters do not.
 */
export const NODE_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}\p{M}_ .-]*$/u;

/**
 * `context` renders templated values in property files (var, env_var, target). With `errors`,
 * problems are added to it and parsing goes on (the second of two same-named nodes is left
 * out), so later stages can report theirs in the same pass; without, they are thrown.
 */
export function parseProject(config: ResolvedConfig, files: ProjectFiles, context: YamlContext, collect?: UserError[]): Manifest {
  const errors: UserError[] = [];
  const read = (path: string) => readFileSync(join(config.projectDir, path), 'utf8');
  // NFC: a file name written decomposed (macOS) names the same model as the ref() typed composed.
  const nameOf = (path: string, ext: string) => basename(path, ext).normalize('NFC');

  const models: ModelNode[] = files.models.map((path) => ({
    kind: 'model',
    id: `model.${config.name}.${nameOf(path, '.sql')}`,
    name: nameOf(path, '.sql'),
    path,
    rawSql: read(path),
    folderSettings: folderSettingsFor(resourcePath(path, config.paths.models), config.models),
    ...(config.modelCustom ? { folderCustom: folderSettingsFor<Record<string, unknown>>(resourcePath(path, config.paths.models), config.modelCustom) } : {}),
  }));
  const seeds: SeedNode[] = files.seeds.flatMap((path): SeedNode[] => {
    const name = nameOf(path, '.csv');
    // dbt_project.yml's seed configs by folder and file; the config file's by seed name.
    const s = folderSettingsFor(resourcePath(path, config.paths.seeds), config.seedFolders);
    if (s.enabled === false) return [];
    return [{
      kind: 'seed',
      id: `seed.${config.name}.${name}`,
      name,
      path,
      columnTypes: { ...s.column_types, ...config.seeds.columnTypes[name] },
      delimiter: s.delimiter ?? config.seeds.delimiter,
      ...(s.schema ? { schema: s.schema } : {}),
      ...(s.alias ? { alias: s.alias } : {}),
      ...(s.tags?.length ? { tags: s.tags } : {}),
      ...(typeof s.quote_columns === 'boolean' ? { quoteColumns: s.quote_columns } : {}),
      ...seedIndexes(name, s.indexes, { file: 'dbt_project.yml' }, errors),
      ...withHooks(undefined, s),
    }];
  });
  const tests: TestNode[] = files.tests.map((path) => ({
    kind: 'test',
    id: `test.${config.name}.${nameOf(path, '.sql')}`,
    name: nameOf(path, '.sql'),
    path,
    rawSql: read(path),
  }));
  const materializations: string[] = [];
  const macros = [
    ...files.macros.map((path) => ({ path, source: testBlocksAsMacros(withoutMaterializations(read(path), path, materializations)) })),
    ...files.packageMacros.map(({ path, package: pkg }) => ({ path, package: pkg, source: testBlocksAsMacros(read(path)) })),
  ];
  const propertyFiles = files.properties.map((path) => ({ path, source: read(path) }));
  // sf's own dbt_utils and dbt_date macros, where the project uses them and has no such package.
  const texts = [...models.map((m) => m.rawSql), ...tests.map((t) => t.rawSql), ...macros.map((m) => m.source), ...propertyFiles.map((f) => f.source)];
  for (const b of builtinPackagesFor(texts, new Set((config.packages ?? []).map((p) => p.name)))) {
    macros.push(...b.files.map((f) => ({ path: f.path, package: b.name, source: testBlocksAsMacros(f.source) })));
  }
  const docs = docBlocks(files.docs.map((path) => ({ path, source: read(path) })), errors);

  const seen = new Map<string, string>();
  const duplicates = new Set<SeedNode | ModelNode>();
  for (const node of [...seeds, ...models]) {
    if (!NODE_NAME.test(node.name)) {
      errors.push(new UserError('DUPLICATE_NODE', `'${node.name}' is not a usable ${node.kind} name: the file name is the name`, {
        location: { file: node.path },
        hint: `rename the file: a name is letters (any alphabet), digits, _, spaces, . and -, starting with a letter, digit or _ (e.g. ${node.name.replace(/^[^\p{L}\p{N}_]+/u, '').replace(/[^\p{L}\p{N}\p{M}_ .-]+/gu, '_') || 'my_model'}${node.kind === 'seed' ? '.csv' : '.sql'})`,
      }));
      duplicates.add(node);
      continue;
    }
    const previous = seen.get(node.name.toLowerCase());
    if (previous) {
      errors.push(new UserError('DUPLICATE_NODE', `two nodes are named '${node.name}': ${previous} and ${node.path}`, {
        location: { file: node.path },
        hint: 'rename one of the files (names are unique across models and seeds, ignoring case)',
      }));
      duplicates.add(node);
      continue;
    }
    seen.set(node.name.toLowerCase(), node.path);
  }
  for (const name of Object.keys(config.seeds.columnTypes)) {
    if (!seeds.some((s) => s.name === name)) {
      errors.push(new UserError('CONFIG_INVALID', `seeds.columnTypes names '${name}', but there is no seeds/${name}.csv`, {
        location: { file: config.configPath },
      }));
    }
  }
  const properties = parseProperties(propertyFiles, {
    models: new Set(models.map((m) => m.name)),
    seeds: new Set(seeds.map((s) => s.name)),
    customTests: testMacros(macros),
    sourceDefaults: (path) => folderSettingsFor<SourceDefaults & { tags?: string[] }>(path, config.sourceFolders ?? {}),
    // A test's place for dbt_project.yml's tests: configs: its property file's folder, then its name.
    testDefaults: (file, name) => {
      const folder = resourcePath(file, [...config.paths.models, ...config.paths.seeds]).replace(/(^|\/)[^/]*$/, '');
      return folderSettingsFor<{ tags?: string[] }>(folder ? `${folder}/${name}` : name, config.testFolders as Record<string, { tags?: string[] }>);
    },
  }, context);
  errors.push(...properties.errors);
  const configWarnings: string[] = [];
  const configured = applyPropertyConfigs(models.filter((m) => !duplicates.has(m)), seeds.filter((x) => !duplicates.has(x)), properties.configs, errors, configWarnings);
  if (collect) collect.push(...errors);
  else UserErrors.throwIfAny(errors);
  const skipped = [
    ...files.pythonModels.map((path) => `${path}: a Python model; sf runs SQL models only, so it is skipped`),
    ...(files.snapshots.length ? [`${files.snapshots[0]}${files.snapshots.length > 1 ? ` and ${files.snapshots.length - 1} more snapshot file${files.snapshots.length > 2 ? 's' : ''}` : ''}: sf does not build snapshots yet; skipped`] : []),
  ];
  return deepFreeze({
    project: config.name,
    docs,
    models: configured.models,
    seeds: configured.seeds,
    tests, genericTests: properties.tests, sources: properties.sources, descriptions: properties.docs, macros, warnings: [...skipped, ...materializations, ...properties.warnings, ...configWarnings] });
}

/** `{% docs name %}text{% enddocs %}` blocks of the .md files; a name used twice is an error, as in dbt. */
function docBlocks(files: readonly { path: string; source: string }[], errors: UserError[]): Record<string, string> {
  const docs: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const m of file.source.matchAll(/\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}([\s\S]*?)\{%-?\s*enddocs\s*-?%\}/g)) {
      const name = m[1]!;
      if (seen.has(name)) {
        errors.push(new UserError('DUPLICATE_NODE', `docs block '${name}' is defined twice: ${seen.get(name)} and ${file.path}`, {
          location: { file: file.path, line: file.source.slice(0, m.index).split('\n').length }, hint: 'rename or remove one of them',
        }));
        continue;
      }
      seen.set(name, file.path);
      docs[name] = m[2]!.trim();
    }
  }
  return docs;
}

/**
 * Generic tests defined by `{% test %}` blocks, by the name a property file gives them, with the
 * macro that runs them: the project's by their name, a package's as `<package>.<name>` and also
 * by the bare name when the project has none of that name (dbt's lookup order).
 */
function testMacros(macros: readonly MacroFile[]): Map<string, string> {
  const found = new Map<string, string>();
  const defined = (m: MacroFile) => [...m.source.matchAll(/\bmacro\s+test_([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((x) => x[1]!);
  for (const m of macros.filter((x) => !x.package)) for (const name of defined(m)) found.set(name, `test_${name}`);
  for (const m of macros.filter((x) => x.package)) {
    for (const name of defined(m)) {
      found.set(`${m.package}.${name}`, `${m.package}.test_${name}`);
      if (!found.has(name)) found.set(name, `${m.package}.test_${name}`);
    }
  }
  return found;
}

/**
 * dbt's generic test blocks, `{% test name(model, column_name) %}...{% endtest %}`, are macros
 * named `test_<name>`: the property files call them by `name`.
 */
/**
 * dbt's `{% materialization name, adapter %}` blocks: sf builds views, tables and incremental
 * models its own way, so a custom materialization is taken out (its lines kept blank) and said.
 */
function withoutMaterializations(source: string, path: string, said: string[]): string {
  return source.replace(/\{%-?\s*materialization\s+([A-Za-z_][A-Za-z0-9_]*)[^%]*%\}[\s\S]*?\{%-?\s*endmaterialization\s*-?%\}/g, (block, name: string, offset: number) => {
    said.push(`${path}:${source.slice(0, offset).split('\n').length}: materialization '${name}' is not run: sf builds view, table, ephemeral and incremental models itself (a model asking for '${name}' is an error)`);
    return block.replace(/[^\n]/g, '');
  });
}

export function testBlocksAsMacros(source: string): string {
  return source
    .replace(/\{%(-?)\s*test\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g, '{%$1 macro test_$2(')
    .replace(/\{%(-?)\s*endtest\s*(-?)%\}/g, '{%$1 endmacro $2%}');
}

/**
 * A property file's `config:` for a model or seed, over its folder settings (dbt's order:
 * dbt_project.yml, then property files, then the model's own config()). Keys are judged as
 * everywhere (dbt/config-keys.ts): applied, warned about, or a near miss refused.
 */
function applyPropertyConfigs(
  models: readonly ModelNode[],
  seeds: readonly SeedNode[],
  configs: readonly NodeConfig[],
  errors: UserError[],
  warnings: string[],
): { models: ModelNode[]; seeds: SeedNode[] } {
  const find = (kind: NodeConfig['kind'], name: string) => configs.find((c) => c.kind === kind && c.name === name);
  const judged = (c: NodeConfig, extra: readonly string[], custom?: Record<string, unknown>) => configsOf(c.entries, extra, (line, message, error) => {
    if (error) errors.push(new UserError('PROPERTIES', message, { location: { file: c.file, line } }));
    else warnings.push(`${c.file}:${line}: ${message}`);
  }, custom);
  const outModels = models.map((model) => {
    const c = find('models', model.name);
    if (!c) return model;
    const custom: Record<string, unknown> = {};
    const parsed = modelSettingsSchema.safeParse(judged(c, [], custom));
    if (!parsed.success) {
      errors.push(new UserError('PROPERTIES', `config of model '${model.name}': ${formatZodIssues(parsed.error, '', modelSettingsSchema).join('; ')}`, { location: { file: c.file, line: c.entries[0]?.line } }));
      return model;
    }
    return {
      ...model, folderSettings: mergeSettings(model.folderSettings, parsed.data as ModelSettings),
      ...(Object.keys(custom).length ? { folderCustom: { ...model.folderCustom, ...custom } } : {}),
    };
  });
  const outSeeds = seeds.flatMap((original): SeedNode[] => {
    const c = find('seeds', original.name);
    if (!c) return [original];
    const s = seedHooks(judged(c, SEED_CONFIG_KEYS) as SeedSettings);
    if (s.enabled === false) return [];
    return [{
      ...original,
      columnTypes: { ...original.columnTypes, ...s.column_types },
      ...(s.delimiter ? { delimiter: s.delimiter } : {}),
      ...(s.schema ? { schema: s.schema } : {}),
      ...(s.alias ? { alias: s.alias } : {}),
      ...(s.tags?.length ? { tags: [...new Set([...(original.tags ?? []), ...s.tags])] } : {}),
      ...(typeof s.quote_columns === 'boolean' ? { quoteColumns: s.quote_columns } : {}),
      ...seedIndexes(original.name, s.indexes, { file: c.file, line: c.entries.find((e) => e.key.replace(/^\+/, '') === 'indexes')?.line }, errors),
      ...withHooks(original.hooks, s),
    }];
  });
  return { models: outModels, seeds: outSeeds };
}

/** A seed's hooks: those it has (dbt_project.yml's), then a property file's, added up as dbt does. */
function withHooks(have: SeedNode['hooks'], s: SeedSettings): Pick<SeedNode, 'hooks'> {
  const pre = [...(have?.pre_hook ?? []), ...((s.pre_hook as string[] | undefined) ?? [])];
  const post = [...(have?.post_hook ?? []), ...((s.post_hook as string[] | undefined) ?? [])];
  return pre.length || post.length ? { hooks: { pre_hook: pre, post_hook: post } } : {};
}

/** A seed's `indexes`, checked as a model's are (its settings are not schema-checked otherwise). */
function seedIndexes(seed: string, value: unknown, location: Location, errors: UserError[]): { indexes?: IndexConfig[] } {
  if (value === undefined) return {};
  const parsed = indexesSchema.safeParse(value);
  if (parsed.success) return { indexes: parsed.data };
  errors.push(new UserError('PROPERTIES', `indexes of seed '${seed}': ${formatZodIssues(parsed.error, 'indexes', indexesSchema).join('; ')}`, {
    location, hint: "indexes: [{columns: ['id'], unique: true}, {columns: ['day'], type: 'brin'}]",
  }));
  return {};
}
