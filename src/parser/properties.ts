// dbt's property files (`models/**/*.yml`, `seeds/**/*.yml`): the data tests declared on models,
// seeds, source tables and their columns, in dbt's format (`version: 2`, `columns:` with
// `data_tests:` or the older `tests:`, model-level `data_tests:`, each test's `config:`), the
// `sources:` they declare (config/sources.ts merges them with the config's), and models' and
// seeds' `config:`. Templated values are rendered first (yaml-render.ts). Keys that only
// describe (`description`, `meta`, `docs`) are ignored; what sf does not build (`exposures`,
// `metrics`, `semantic_models`, `unit_tests`, ...) is warned about once per file. A YAML syntax
// error, or a test on a model or seed the project does not have, is an error with file and line.
import { LineCounter, parseDocument, isAlias, isMap, isSeq, isScalar, type Node, type YAMLMap } from 'yaml';
import { COUNT_CONDITION, freshnessSchema, formatZodIssues } from '../config/schema.js';
import type { SourceDeclaration } from '../config/sources.js';
import type { FreshnessRule, SourceTableConfig } from '../config/types.js';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { renderYamlValues, type YamlContext } from './yaml-render.js';
import { synthesizeTestName } from './test-names.js';
import type { ConfigEntry } from '../dbt/config-keys.js';

/** dbt's error and warn, and sf's quarantine (row-level tests: failing rows are moved aside). */
export type Severity = 'error' | 'warn' | 'quarantine';
/** Tests that judge rows one by one, so failing rows can be quarantined. */
export const ROW_LEVEL_TESTS = ['not_null', 'unique', 'accepted_values', 'relationships', 'expression'];

export { COUNT_CONDITION };

export interface TestConfig {
  readonly severity: Severity;
  readonly where?: string | undefined;
  readonly limit?: number | undefined;
  /** dbt's conditions on the failure count, e.g. `!=0`, `>10`. */
  readonly warnIf: string;
  readonly errorIf: string;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  /** dbt's store_failures: keep the failing rows in `<schema>_dbt_test__audit.<test name>`. */
  readonly storeFailures: boolean;
  /** dbt's fail_calc: how failures are counted from the failing rows (default count(*)). */
  readonly failCalc?: string | undefined;
}

export interface GenericTestDeclaration {
  /** Unique, as dbt names it: `not_null_fact_sales_quantity`, `accepted_values_orders_status__placed__shipped`. */
  readonly name: string;
  /** Under 64 characters, for the relation keeping its failures: the name, or dbt's hashed short form. */
  readonly alias: string;
  /** `not_null`, `unique`, `accepted_values`, `relationships`, `expression`, `row_count`. */
  readonly test: string;
  /** The model or seed the test is on, or a source table as `source.table`. */
  readonly node: string;
  readonly on: 'model' | 'seed' | 'source';
  readonly column?: string | undefined;
  /** A `{% test %}` block of the project (macros/ or tests/generic/) or a package, not a built-in. */
  readonly custom: boolean;
  /** The macro a custom test calls: `test_<name>`, or a package's `<package>.test_<name>`. */
  readonly macro?: string | undefined;
  readonly args: Readonly<Record<string, unknown>>;
  readonly config: TestConfig;
  readonly file: string;
  readonly line: number;
}

/** Test names sf knows, and dbt_utils' names for the same tests. */
const ALIASES: Readonly<Record<string, string>> = {
  'dbt_utils.expression_is_true': 'expression',
  expression_is_true: 'expression',
};
export const GENERIC_TESTS = ['not_null', 'unique', 'accepted_values', 'relationships', 'expression', 'row_count'];
const CONFIG_KEYS = new Set(['severity', 'where', 'limit', 'warn_if', 'error_if', 'store_failures', 'store_failures_as', 'tags', 'enabled', 'meta', 'alias', 'schema', 'database', 'fail_calc']);

/** Top-level keys of a property file sf reads, or accepts quietly (descriptions only). */
const TOP_LEVEL_KEYS = new Set(['version', 'models', 'seeds', 'sources', 'macros', 'groups']);
/** Top-level keys declaring what sf does not build or run: one warning per file. */
const SKIPPED_TOP_LEVEL: Readonly<Record<string, string>> = {
  exposures: 'exposures are documentation of downstream uses; sf does not track them, skipped',
  semantic_models: 'semantic models (the semantic layer) are not part of sf; skipped',
  metrics: 'metrics (the semantic layer) are not part of sf; skipped',
  saved_queries: 'saved queries (the semantic layer) are not part of sf; skipped',
  unit_tests: 'sf does not run unit tests yet; skipped',
  snapshots: 'sf does not build snapshots yet; their properties are skipped',
  analyses: 'sf does not compile analyses; skipped',
};

/** The keys dbt's property files define for each kind of entry (others are warned about). */
const COMMON = ['name', 'description', 'docs', 'meta', 'config', 'columns', 'data_tests', 'tests', 'tags', 'group'];
const MODEL_KEYS = new Set([...COMMON, 'constraints', 'latest_version', 'versions', 'access', 'deprecation_date', 'time_spine', 'freshness']);
const SEED_KEYS = new Set(COMMON);
const SOURCE_KEYS = new Set([...COMMON, 'database', 'schema', 'loader', 'loaded_at_field', 'loaded_at_query', 'overrides', 'freshness', 'quoting', 'tables', 'event_time', 'enabled']);
const TABLE_KEYS = new Set([...COMMON, 'identifier', 'loaded_at_field', 'loaded_at_query', 'freshness', 'quoting', 'external', 'event_time', 'enabled']);
const COLUMN_KEYS = new Set([...COMMON, 'data_type', 'quote', 'constraints', 'granularity', 'policy_tags', 'dimension', 'entity']);

/** A test's config defaults from dbt_project.yml's `tests:`, by the property file declaring it and the test's name. */
export type TestDefaults = (propertyFile: string, testName: string) => Readonly<Record<string, unknown>>;

/** dbt_project.yml's `sources:` configs for a source (`raw`) or one of its tables (`raw/orders`). */
export interface SourceDefaults {
  readonly enabled?: boolean;
  readonly loaded_at_field?: string;
  readonly event_time?: string;
  readonly freshness?: FreshnessRule | null;
}

/** A model's or seed's `config:` in a property file, key by key with their lines. */
export interface NodeConfig {
  readonly kind: 'models' | 'seeds';
  readonly name: string;
  readonly file: string;
  readonly entries: readonly ConfigEntry[];
}

/** What a property file says about a model, seed, source or source table, for `sf docs`. */
export interface NodeDocs {
  readonly on: 'model' | 'seed' | 'source' | 'source_table';
  /** The model or seed, the source, or `source.table`. */
  readonly node: string;
  readonly description?: string | undefined;
  readonly columns: readonly { readonly name: string; readonly description?: string | undefined; readonly dataType?: string | undefined }[];
  readonly file: string;
  readonly line: number;
}

export interface PropertyFile {
  readonly path: string;
  readonly source: string;
}

/** Every generic test and source the property files declare, or all their errors at once. */
export function parseProperties(
  files: readonly PropertyFile[],
  nodes: { models: ReadonlySet<string>; seeds: ReadonlySet<string>; customTests?: ReadonlyMap<string, string>; testDefaults?: TestDefaults; sourceDefaults?: (path: string) => SourceDefaults },
  context?: YamlContext,
): { tests: GenericTestDeclaration[]; sources: SourceDeclaration[]; configs: NodeConfig[]; docs: NodeDocs[]; errors: UserError[]; warnings: string[] } {
  const tests: GenericTestDeclaration[] = [];
  const docs: NodeDocs[] = [];
  const configs: NodeConfig[] = [];
  const warnings: string[] = [];
  const sources: SourceDeclaration[] = [];
  const errors: UserError[] = [];
  const taken = new Set<string>();
  for (const file of files) {
    const lines = new LineCounter();
    // merge: YAML's `<<: *defaults`, which dbt's loader accepts too.
    const doc = parseDocument(file.source, { lineCounter: lines, prettyErrors: false, merge: true });
    /** A node as plain values, anchors and merges resolved. */
    const plain = (n: unknown): unknown => (n && typeof n === 'object' && 'toJS' in n ? (n as Node).toJS(doc) : n);
    const lineOf = (n: Node | null | undefined) => (n?.range ? lines.linePos(n.range[0]).line : 1);
    const fail = (message: string, node: Node | null | undefined, hint?: string) =>
      errors.push(new UserError('PROPERTIES', message, { location: { file: file.path, line: lineOf(node) }, hint }));
    if (doc.errors.length) {
      for (const e of doc.errors) {
        errors.push(new UserError('PROPERTIES', `YAML syntax error: ${e.message.split('\n')[0]}`, {
          location: { file: file.path, line: lines.linePos(e.pos[0]).line },
          hint: 'check the indentation and the quoting around this line',
        }));
      }
      continue;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    if (!isMap(doc.contents)) {
      fail('a property file should be a mapping: version: 2, then models:, seeds: or sources:', doc.contents as Node);
      continue;
    }
    /** dbt ignores, then warns about, keys it does not know: a typo (`colums:`) would drop tests silently. */
    const unknownKeys = (map: YAMLMap, known: ReadonlySet<string>, what: string) => {
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (known.has(key) || key === '<<') continue;
        const near = didYouMean(key, [...known]);
        warnings.push(`${file.path}:${lineOf(pair.key as Node)}: unknown key '${key}' in ${what}${near ? ` (${near})` : ''}; it is ignored`);
      }
    };
    // What a property file may declare besides models, seeds and sources: said once where sf skips it.
    for (const pair of doc.contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (SKIPPED_TOP_LEVEL[key]) warnings.push(`${file.path}:${lineOf(pair.key as Node)}: ${SKIPPED_TOP_LEVEL[key]}`);
      else if (!TOP_LEVEL_KEYS.has(key)) {
        const near = didYouMean(key, [...TOP_LEVEL_KEYS, ...Object.keys(SKIPPED_TOP_LEVEL)]);
        warnings.push(`${file.path}:${lineOf(pair.key as Node)}: unknown key '${key}'${near ? ` (${near})` : ''}; it is ignored`);
      }
    }
    if (context) for (const p of renderYamlValues(doc.contents, context)) fail(p.message, p.node);
    /** Declares the tests under `testsNode` on a node (or a column of it). */
    const declare = (testsNode: unknown, node: string, on: GenericTestDeclaration['on'], column: string | undefined) => {
      if (testsNode === undefined || testsNode === null || (isScalar(testsNode) && testsNode.value === null)) return;
      if (!isSeq(testsNode)) {
        fail(`'data_tests:' of ${node}${column ? `.${column}` : ''} should be a list`, testsNode as Node);
        return;
      }
      for (const item of testsNode.items) {
        const resolved = (isAlias(item) ? item.resolve(doc) : item) as Node;
        const test = readTest(resolved, plain(resolved), node, on, column, file.path, lineOf(item as Node), fail, nodes.customTests ?? new Map(), nodes.testDefaults);
        if (!test) continue;
        let [unique, alias] = [test.name, test.alias];
        for (let i = 2; taken.has(unique); i++) [unique, alias] = [`${test.name}_${i}`, `${test.alias.slice(0, 60)}_${i}`];
        taken.add(unique);
        tests.push({ ...test, name: unique, alias });
      }
    };
    const text = (map: YAMLMap, key: string) => {
      const v = scalar(map.get(key, true));
      return typeof v === 'string' && v ? v : undefined;
    };
    const declareWithColumns = (entry: YAMLMap, node: string, on: GenericTestDeclaration['on'], keys: ReadonlySet<string>, what: string) => {
      unknownKeys(entry, keys, what);
      declare(entry.get('data_tests', true) ?? entry.get('tests', true), node, on, undefined);
      const columns = entry.get('columns', true);
      const described: NodeDocs['columns'][number][] = [];
      docs.push({ on: on === 'source' ? 'source_table' : on, node, description: text(entry, 'description'), columns: described, file: file.path, line: lineOf(entry) });
      if (columns === undefined || columns === null || (isScalar(columns) && columns.value === null)) return;
      if (!isSeq(columns)) {
        fail(`'columns:' of ${node} should be a list of '- name: <column>' entries`, columns as Node);
        return;
      }
      for (const col of columns.items) {
        if (!isMap(col)) {
          fail(`a column of ${node} should be a mapping with a name`, col as Node, "write '- name: <column>'");
          continue;
        }
        const colName = scalar(col.get('name', true));
        if (typeof colName !== 'string') {
          fail(`a column of ${node} has no name`, col);
          continue;
        }
        unknownKeys(col, COLUMN_KEYS, `column ${node}.${colName}`);
        described.push({ name: colName, description: text(col, 'description'), dataType: text(col, 'data_type') });
        declare(col.get('data_tests', true) ?? col.get('tests', true), node, on, colName);
      }
    };
    for (const kind of ['models', 'seeds', 'sources'] as const) {
      const list = doc.contents.get(kind, true);
      if (list === undefined || list === null) continue;
      if (!isSeq(list)) {
        fail(`'${kind}:' should be a list of entries with a name`, list as Node);
        continue;
      }
      for (const entry of list.items) {
        if (!isMap(entry)) {
          fail(`an entry under '${kind}:' should be a mapping with a name`, entry as Node, "write '- name: ...' with its keys indented under it");
          continue;
        }
        const name = scalar(entry.get('name', true));
        if (typeof name !== 'string') {
          fail(`an entry under '${kind}:' has no name`, entry, kind === 'sources' ? "add '- name: <source name>'" : "add '- name: <the model's file name>'");
          continue;
        }
        if (kind === 'sources') {
          const source = readSource(entry, name, file.path, lineOf, fail, plain, nodes.sourceDefaults ?? (() => ({})));
          if (!source) continue;
          sources.push(source.declaration);
          docs.push({ on: 'source', node: name, description: text(entry, 'description'), columns: [], file: file.path, line: lineOf(entry) });
          unknownKeys(entry, SOURCE_KEYS, `source '${name}'`);
          for (const [table, tableEntry] of source.tables) declareWithColumns(tableEntry, `${name}.${table}`, 'source', TABLE_KEYS, `source table ${name}.${table}`);
          continue;
        }
        const known = kind === 'models' ? nodes.models : nodes.seeds;
        if (!known.has(name)) {
          // As dbt: a property entry for no node is said, and the rest of the file is read.
          warnings.push(`${file.path}:${lineOf(entry)}: ${kind === 'models' ? 'model' : 'seed'} '${name}' is not in the project (${kind === 'models' ? 'models/' : 'seeds/'} has no file named ${name}${kind === 'models' ? '.sql' : '.csv'}); its entry is ignored`);
          continue;
        }
        declareWithColumns(entry, name, kind === 'models' ? 'model' : 'seed', kind === 'models' ? MODEL_KEYS : SEED_KEYS, `${kind === 'models' ? 'model' : 'seed'} '${name}'`);
        // `config:` of a model or seed: over dbt_project.yml's, under the model's own config().
        const config = entry.get('config', true);
        if (isMap(config)) {
          configs.push({
            kind, name, file: file.path,
            entries: config.items.map((pair) => ({ key: String(scalar(pair.key) ?? ''), value: plain(pair.value), line: lineOf(pair.key as Node) })),
          });
        } else if (config !== undefined && config !== null && !(isScalar(config) && config.value === null)) {
          fail(`'config:' of ${kind === 'models' ? 'model' : 'seed'} '${name}' should be a mapping`, config as Node);
        }
      }
    }
  }
  return { tests, sources, configs, docs, errors, warnings };
}

/** A `sources:` entry: its schema, defaults and tables (dbt also allows them under `config:`). */
function readSource(
  entry: YAMLMap,
  name: string,
  file: string,
  lineOf: (n: Node | null | undefined) => number,
  fail: (message: string, at: Node | null | undefined, hint?: string) => void,
  plain: (n: unknown) => unknown,
  projectDefaults: (path: string) => SourceDefaults,
): { declaration: SourceDeclaration; tables: [string, YAMLMap][] } | undefined {
  const settings = (map: YAMLMap, what: string) => {
    const config = map.get('config', true);
    const get = (key: string) => (isMap(config) && config.has(key) ? config.get(key, true) : map.get(key, true)) as Node | undefined;
    const out: { loaded_at_field?: string; freshness?: FreshnessRule | null; identifier?: string; event_time?: string; enabled?: boolean } = {};
    for (const key of ['loaded_at_field', 'identifier', 'event_time'] as const) {
      const node = get(key);
      if (node === undefined) continue;
      const value = scalar(node);
      if (typeof value === 'string' && value) out[key] = value;
      else if (value !== null) fail(`${key} of ${what} should be a text value`, node);
    }
    const enabled = get('enabled');
    if (enabled !== undefined && typeof scalar(enabled) === 'boolean') out.enabled = scalar(enabled) as boolean;
    const freshness = get('freshness');
    if (freshness !== undefined) {
      const json = plain(freshness);
      if (json === null) out.freshness = null;
      else {
        const parsed = freshnessSchema.safeParse(json);
        if (parsed.success) out.freshness = parsed.data as FreshnessRule;
        else fail(`freshness of ${what}: ${formatZodIssues(parsed.error).join('; ')}`, freshness,
          'write freshness: {warn_after: {count: 12, period: hour}, error_after: {count: 1, period: day}} (periods: minute, hour, day)');
      }
    }
    return out;
  };
  const schemaNode = entry.get('schema', true) as Node | undefined;
  const schema = schemaNode === undefined ? undefined : scalar(schemaNode);
  if (schema !== undefined && (typeof schema !== 'string' || !schema)) {
    fail(`schema of source '${name}' should be a name`, schemaNode);
    return undefined;
  }
  // dbt_project.yml's sources: configs sit under the property file's (source, then table).
  const projectSource = projectDefaults(name);
  const own = settings(entry, `source '${name}'`);
  if ((own.enabled ?? projectSource.enabled) === false) return undefined;
  const tablesNode = entry.get('tables', true);
  if (!isSeq(tablesNode)) {
    fail(`source '${name}' has no 'tables:' list`, entry, "add 'tables:' with '- name: <table>' entries");
    return undefined;
  }
  const tables: SourceTableConfig[] = [];
  const entries: [string, YAMLMap][] = [];
  const tableLines: Record<string, number> = {};
  for (const item of tablesNode.items) {
    if (!isMap(item)) {
      fail(`a table of source '${name}' should be a mapping with a name`, item as Node, "write '- name: <table>'");
      continue;
    }
    const table = scalar(item.get('name', true));
    if (typeof table !== 'string' || !table) {
      fail(`a table of source '${name}' has no name`, item, "add '- name: <table>'");
      continue;
    }
    const t = settings(item, `${name}.${table}`);
    const projectTable = projectDefaults(`${name}/${table}`);
    if ((t.enabled ?? own.enabled ?? projectTable.enabled) === false) continue;
    const { enabled: _, ...rest } = t;
    // A project default for this table applies where neither the table nor its source says otherwise.
    const inherited = Object.fromEntries((['loaded_at_field', 'event_time', 'freshness'] as const)
      .filter((k) => rest[k] === undefined && own[k] === undefined && projectTable[k] !== undefined)
      .map((k) => [k, projectTable[k]]));
    tables.push({ name: table, ...inherited, ...rest });
    entries.push([table, item]);
    tableLines[table] = lineOf(item);
  }
  return {
    declaration: {
      name, file, line: lineOf(entry), tableLines, tables,
      ...(typeof schema === 'string' ? { schema } : {}),
      ...(own.loaded_at_field ? { loaded_at_field: own.loaded_at_field } : {}),
      ...(own.freshness ? { freshness: own.freshness } : {}),
    },
    tables: entries,
  };
}

function readTest(
  item: Node,
  value: unknown,
  node: string,
  on: GenericTestDeclaration['on'],
  column: string | undefined,
  file: string,
  line: number,
  fail: (message: string, at: Node | null | undefined, hint?: string) => void,
  customTests: ReadonlyMap<string, string>,
  testDefaults?: TestDefaults,
): GenericTestDeclaration | undefined {
  let test: string;
  let body: Record<string, unknown> = {};
  if (isScalar(item) && typeof item.value === 'string') {
    test = item.value;
  } else if (isMap(item) && item.items.length >= 1) {
    const map = value as Record<string, unknown>;
    const keys = Object.keys(map);
    const testKey = keys.find((k) => k !== 'config' && k !== 'name' && k !== 'test_name') ?? String(map['test_name'] ?? '');
    test = typeof map['test_name'] === 'string' ? map['test_name'] : testKey;
    const inner = map[testKey];
    if (inner !== null && inner !== undefined && (typeof inner !== 'object' || Array.isArray(inner))) {
      fail(`the arguments of ${testKey} on ${node}${column ? `.${column}` : ''} should be a mapping, not ${JSON.stringify(inner)}`, item,
        `write '- ${testKey}:' with its arguments and config: indented under it`);
      return undefined;
    }
    body = inner ? { ...(inner as Record<string, unknown>) } : {};
    if (map['config'] && typeof map['config'] === 'object') body['config'] = { ...(body['config'] as object), ...(map['config'] as object) };
  } else {
    fail(`a test of ${node}${column ? `.${column}` : ''} is neither a name nor a mapping`, item);
    return undefined;
  }
  // A project's own `{% test %}` of a built-in name replaces the built-in, as in dbt.
  const macro = customTests.get(test);
  const custom = macro !== undefined;
  const canonical = custom ? test : ALIASES[test] ?? test;
  if (!custom && !GENERIC_TESTS.includes(canonical)) {
    fail(`unknown test '${test}' on ${node}${column ? `.${column}` : ''}`, item,
      `sf knows ${GENERIC_TESTS.join(', ')} (and dbt_utils.expression_is_true)${customTests.size ? `, and the project's and packages' ${[...customTests.keys()].join(', ')}` : ''}; define others with {% test ${test}(model, column_name) %} in macros/ or tests/generic/`);
    return undefined;
  }
  // dbt 1.10 puts a test's arguments under `arguments:`; older files put them beside `config:`.
  const { config: rawConfig, arguments: args, ...rest } = body as { config?: Record<string, unknown>; arguments?: Record<string, unknown> };
  const flatConfig = Object.fromEntries(Object.entries(rest).filter(([k]) => CONFIG_KEYS.has(k)));
  const argValues = { ...Object.fromEntries(Object.entries(rest).filter(([k]) => !CONFIG_KEYS.has(k))), ...(args ?? {}) };
  // A `name:` the user gave wins (dbt's custom test names); else dbt's synthesized one.
  const { name: given, ...testArgs } = argValues as { name?: unknown };
  const outer = isMap(item) ? (value as Record<string, unknown>)['name'] : undefined;
  const givenName = typeof given === 'string' ? given : typeof outer === 'string' ? outer : undefined;
  const names = synthesizeTestName(test, on === 'source' ? node.replace('.', '_') : node, on === 'source', { ...testArgs, ...(column !== undefined ? { column_name: column } : {}) });
  const name = givenName ?? names.full;
  // dbt_project.yml's tests: configs for this file's folder, under the test's own.
  const defaults = testDefaults?.(file, name) ?? {};
  const own = { ...flatConfig, ...(rawConfig ?? {}) };
  const cfg: Record<string, unknown> = { ...defaults, ...own, tags: [...asList(defaults['tags']), ...asList(own['tags'])] };
  const severity = String(cfg['severity'] ?? 'error').toLowerCase();
  if (severity !== 'error' && severity !== 'warn' && severity !== 'quarantine') {
    fail(`severity '${String(cfg['severity'])}' of ${test} on ${node}${column ? `.${column}` : ''} is not error, warn or quarantine`, item,
      'use severity: error (fails the node), warn (reported) or quarantine (failing rows moved aside)');
    return undefined;
  }
  if (severity === 'quarantine' && on === 'source') {
    fail(`severity quarantine on source ${node}: sf does not write sources, so it cannot move their rows`, item, 'use severity: error or warn on sources; quarantine on the models that read them');
    return undefined;
  }
  if (severity === 'quarantine' && (custom || !ROW_LEVEL_TESTS.includes(canonical))) {
    fail(`severity quarantine needs a test that judges rows one by one; ${test} does not`, item, `quarantine works with ${ROW_LEVEL_TESTS.join(', ')}`);
    return undefined;
  }
  for (const key of ['warn_if', 'error_if']) {
    if (cfg[key] !== undefined && (typeof cfg[key] !== 'string' || !COUNT_CONDITION.test(cfg[key] as string))) {
      fail(`${key} '${String(cfg[key])}' of ${test} on ${node}${column ? `.${column}` : ''} is not a condition on the failure count`, item, `e.g. ${key}: ">10" or "!=0"`);
      return undefined;
    }
  }
  const problem = custom ? undefined : missingArgument(canonical, argValues, column);
  if (problem) {
    fail(`${test} on ${node}${column ? `.${column}` : ''}: ${problem}`, item);
    return undefined;
  }
  const config: TestConfig = {
    severity,
    where: typeof cfg['where'] === 'string' ? cfg['where'] : undefined,
    limit: typeof cfg['limit'] === 'number' ? cfg['limit'] : undefined,
    warnIf: typeof cfg['warn_if'] === 'string' ? cfg['warn_if'] : '!=0',
    errorIf: typeof cfg['error_if'] === 'string' ? cfg['error_if'] : '!=0',
    tags: [...new Set(asList(cfg['tags']))],
    enabled: cfg['enabled'] !== false,
    storeFailures: cfg['store_failures'] === true || cfg['store_failures_as'] === 'table',
    ...(typeof cfg['fail_calc'] === 'string' ? { failCalc: cfg['fail_calc'] } : {}),
  };
  return { name, alias: givenName ?? names.short, test: canonical, custom, ...(macro ? { macro } : {}), node, on, column, args: testArgs, config, file, line };
}

function asList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
}

function missingArgument(test: string, args: Record<string, unknown>, column: string | undefined): string | undefined {
  const columnTests = ['not_null', 'unique', 'accepted_values', 'relationships'];
  if (columnTests.includes(test) && !column && typeof args['column_name'] !== 'string') return 'declare it under a column (or give column_name)';
  if (test === 'accepted_values' && !Array.isArray(args['values'])) return "needs 'values: [...]'";
  if (test === 'relationships' && (typeof args['to'] !== 'string' || typeof args['field'] !== 'string')) return "needs 'to: ref(\"model\")' and 'field: <column>'";
  if (test === 'expression' && typeof args['expression'] !== 'string') return "needs 'expression: <SQL that every row must satisfy>'";
  if (test === 'row_count' && args['min'] === undefined && args['max'] === undefined) return "needs 'min:' and/or 'max:'";
  return undefined;
}

function scalar(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}
