// A project's macros and its packages': the project's are globals (and under the project's
// name), each package's under the package's name (`dbt_utils.star`), as dbt registers them; and
// adapter.dispatch's search through them.
import nunjucks from 'nunjucks';
import type { Manifest } from '../parser/nodes.js';
import { UserError } from '../util/errors.js';
import { RESERVED_GLOBALS } from './context.js';
import { hashOf } from './render-cache.js';
import { templateError } from './template-errors.js';
import { JINJA_PRINTING } from './undefined-names.js';

/** dbt macros that its materializations call, which a project may override in dbt but sf never calls. */
const DBT_INTERNALS = new Set([
  'get_merge_sql', 'get_delete_insert_merge_sql', 'get_insert_overwrite_merge_sql', 'get_incremental_append_sql',
  'get_incremental_default_sql', 'get_incremental_merge_sql', 'get_incremental_delete_insert_sql',
  'get_incremental_insert_overwrite_sql', 'get_incremental_microbatch_sql', 'get_create_table_as_sql', 'create_table_as',
  'get_create_view_as_sql', 'create_view_as', 'get_replace_sql', 'get_rename_sql', 'drop_relation', 'truncate_relation',
  'make_temp_relation', 'make_intermediate_relation', 'make_backup_relation', 'alter_column_type', 'persist_docs',
  'get_quoted_csv', 'load_csv_rows', 'create_csv_table', 'reset_csv_table', 'get_batch_size', 'get_binding_char',
  'generate_database_name', 'get_test_sql', 'get_unit_test_sql', 'snapshot_merge_sql', 'create_schema', 'drop_schema',
]);

export interface LoadedMacros {
  /** Each macro's hash (its file's text), for the render cache: by name, a package's as `<package>.<name>`. */
  readonly hashes: Map<string, string>;
  /** The macros of each package (and of the project, by its name), as templates call them: `dbt_utils.star`. */
  readonly namespaces: Map<string, Record<string, unknown>>;
  /** Package macro files sf could not parse: said once each; calling one of their macros is the error. */
  readonly warnings: string[];
}

/** Installs the project's macros as globals and each package's under its name. */
export function loadMacros(env: nunjucks.Environment, manifest: Manifest, packages: readonly string[], errors: UserError[], onCall: (name: string) => void): LoadedMacros {
  const definedIn = new Map<string, string>();
  /** Packages sf stands in for (dbt/builtin-packages.ts): only some of their macros exist. */
  const builtin = new Set(manifest.macros.filter((m) => m.package && m.path.startsWith('sf-builtin/')).map((m) => m.package!));
  // Every installed package has its namespace, macros or not: a missing macro is named as one.
  const loaded: LoadedMacros = { hashes: new Map(), namespaces: new Map([manifest.project, ...packages].map((name) => [name, {}])), warnings: [] };
  const namespace = (name: string) => loaded.namespaces.get(name) ?? loaded.namespaces.set(name, {}).get(name)!;
  for (const file of manifest.macros) {
    const lineOfMacro = (name: string) => file.source.slice(0, file.source.search(new RegExp(`macro\\s+${name}\\b`))).split('\n').length;
    let exported: Record<string, unknown> = {};
    if (file.package) JINJA_PRINTING.add(file.path);
    try {
      const template = new nunjucks.Template(file.source, env, file.path, true);
      // getExported runs synchronously for templates without async filters.
      (template as unknown as { getExported(ctx: object, frame: null, cb: (e: unknown, v: Record<string, unknown>) => void): void })
        .getExported({}, null, (err, value) => {
          if (err) throw err;
          exported = value;
        });
    } catch (err) {
      const problem = templateError(err, file.path, 'parse');
      if (!file.package) {
        errors.push(problem);
        continue;
      }
      // A package file sf cannot read costs only its own macros, and only when they are called.
      loaded.warnings.push(`${problem.location?.file}${problem.location?.line ? `:${problem.location.line}` : ''}: sf cannot read this macro file of package '${file.package}' (${problem.message}); its macros are unavailable`);
      for (const [, name] of file.source.matchAll(/\bmacro\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
        namespace(file.package)[name!] = () => {
          throw new Error(`${file.package}.${name} is defined in ${file.path}, which sf cannot read: ${problem.message}`);
        };
      }
      continue;
    }
    for (const [name, fn] of Object.entries(exported)) {
      if (typeof fn !== 'function') continue;
      const key = file.package ? `${file.package}.${name}` : name;
      if (!file.package && RESERVED_GLOBALS.includes(name)) {
        errors.push(new UserError('TEMPLATE_SYNTAX', `macro '${name}' shadows the built-in ${name}()`, {
          location: { file: file.path, line: lineOfMacro(name) },
          hint: 'rename the macro',
        }));
      } else if (definedIn.has(key)) {
        errors.push(new UserError('DUPLICATE_NODE', `macro '${key}' is defined twice: ${definedIn.get(key)} and ${file.path}`, {
          location: { file: file.path, line: lineOfMacro(name) },
          hint: 'rename or remove one of them',
        }));
      } else {
        definedIn.set(key, file.path);
        loaded.hashes.set(key, hashOf(file.source));
        const calling = function calling(this: unknown, ...args: unknown[]) {
          onCall(key);
          return (fn as (...a: unknown[]) => unknown).apply(this, args);
        };
        // The project's macros are called by their names, a package's under the package's name.
        if (!file.package) env.addGlobal(name, calling);
        namespace(file.package ?? manifest.project)[name] = calling;
      }
    }
  }
  // dbt's own macros behind its materializations: sf builds without them, so an override would be silently unused.
  for (const [name, file] of definedIn) {
    const base = name.replace(/^(default|duckdb|postgres|sqlite)__/, '');
    if (!name.includes('.') && DBT_INTERNALS.has(base)) {
      loaded.warnings.push(`${file}: macro '${name}' overrides dbt's own ${base}; sf writes models its own way and does not call it`);
    }
  }
  for (const [name, macros] of loaded.namespaces) {
    if (RESERVED_GLOBALS.includes(name)) {
      errors.push(new UserError('TEMPLATE_SYNTAX', `a package or project named '${name}' would shadow the built-in ${name}`, { hint: 'rename the project' }));
    } else if (!(name === manifest.project && loaded.hashes.has(name))) {
      env.addGlobal(name, builtin.has(name) ? partialPackage(name, macros) : macros);
    }
  }
  return loaded;
}

/** sf's stand-in for a package: a macro it lacks is an error saying so, not "not installed". */
function partialPackage(name: string, macros: Record<string, unknown>): Record<string, unknown> {
  const own = Object.keys(macros).filter((m) => !m.startsWith('_') && !m.includes('__')).sort();
  return new Proxy(macros, {
    get: (target, prop) => {
      if (typeof prop !== 'string' || prop in target || prop === 'then' || prop === 'toString') return target[prop as string];
      return () => {
        throw new Error(`${name}.${prop}() is not one of sf's own ${name} macros (${own.join(', ')}); install the ${name} package in dbt_packages/ (dbt deps) for the others`);
      };
    },
  });
}

export interface DispatchSearch {
  readonly project: string;
  readonly engine: string;
  /** dbt_project.yml's dispatch: per namespace, the packages to search in order. */
  readonly searchOrders: Readonly<Record<string, readonly string[]>>;
  /** dbt's own macros (cross-db.ts): searched last for the `dbt` namespace and no namespace. */
  readonly builtin: Readonly<Record<string, unknown>>;
  /** A project macro by its global name, or undefined. */
  readonly globalMacro: (name: string) => unknown;
}

/**
 * dbt's adapter.dispatch('name'[, 'namespace']): in each package of the namespace's search
 * order (dbt_project.yml's dispatch:, else the project then the namespace), <engine>__name,
 * then default__name; dbt's own macros last.
 */
export function dispatcher(macros: LoadedMacros, search: DispatchSearch): (name: unknown, namespace?: unknown) => unknown {
  const find = (pkg: string | null, macro: string): unknown => (pkg === null ? search.globalMacro(macro) : macros.namespaces.get(pkg)?.[macro]);
  return (name, namespace) => {
    const macro = String(name);
    const ns = typeof namespace === 'string' ? namespace : undefined;
    const order: (string | null)[] = ns === undefined ? [null] : [...(search.searchOrders[ns] ?? (ns === search.project ? [ns] : [search.project, ns]))];
    const tried: string[] = [];
    for (const pkg of order) {
      if (pkg === 'dbt') continue;
      for (const prefix of [search.engine, 'default']) {
        const found = find(pkg, `${prefix}__${macro}`);
        tried.push(`${pkg === null ? '' : `${pkg}.`}${prefix}__${macro}`);
        if (typeof found === 'function') return found;
      }
    }
    if ((ns === undefined || ns === 'dbt' || order.includes('dbt')) && macro in search.builtin) return search.builtin[macro];
    throw new Error(`adapter.dispatch('${macro}'${ns ? `, '${ns}'` : ''}): no macro found; looked for ${tried.join(', ')}`);
  };
}
