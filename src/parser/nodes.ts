import type { IndexConfig, ModelSettings } from '../config/types.js';
import type { SourceDeclaration } from '../config/sources.js';
import type { GenericTestDeclaration, NodeDocs } from './properties.js';

export interface ModelNode {
  readonly kind: 'model';
  readonly id: string;
  readonly name: string;
  /** Posix path relative to the project directory, e.g. `models/staging/stg_orders.sql`. */
  readonly path: string;
  readonly rawSql: string;
  /** Settings from folder defaults; `config(...)` in the SQL is merged on top by the compiler. */
  readonly folderSettings: Readonly<ModelSettings>;
  /** A project's own config keys from dbt_project.yml and property files (config.get reads them). */
  readonly folderCustom?: Readonly<Record<string, unknown>> | undefined;
}

export interface SeedNode {
  readonly kind: 'seed';
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly columnTypes: Readonly<Record<string, string>>;
  /** The CSV's field delimiter. */
  readonly delimiter: string;
  /** dbt_project.yml's seed configs: a custom schema, the relation's name, tags. */
  readonly schema?: string | undefined;
  readonly alias?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  /** dbt's quote_columns; false: columns named as the engine takes them unquoted. */
  readonly quoteColumns?: boolean | undefined;
  /** dbt-postgres' indexes, made with the table. */
  readonly indexes?: readonly IndexConfig[] | undefined;
  /** dbt's pre- and post-hooks, as written (rendered by the compiler). */
  readonly hooks?: { readonly pre_hook: readonly string[]; readonly post_hook: readonly string[] } | undefined;
}

/** A singular data test: SQL that returns the failing rows. */
export interface TestNode {
  readonly kind: 'test';
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly rawSql: string;
}

export interface MacroFile {
  readonly path: string;
  readonly source: string;
  /** The dbt package it comes from (its macros are called as `<package>.<name>`); none: the project's. */
  readonly package?: string | undefined;
}

export interface Manifest {
  readonly project: string;
  readonly models: readonly ModelNode[];
  readonly seeds: readonly SeedNode[];
  /** Singular tests: the .sql files under tests/. */
  readonly tests: readonly TestNode[];
  /** Generic tests declared in property files. */
  readonly genericTests: readonly GenericTestDeclaration[];
  /** Sources declared in property files (merged with the config's by loadProject). */
  readonly sources: readonly SourceDeclaration[];
  readonly macros: readonly MacroFile[];
  /** dbt's docs blocks (`{% docs name %}...{% enddocs %}` in .md files), by name: what doc('name') gives. */
  readonly docs: Readonly<Record<string, string>>;
  /** Descriptions of models, seeds, sources and their columns in property files (`sf docs`). */
  readonly descriptions: readonly NodeDocs[];
  /** Things the project files say that sf ignores (unknown keys in property files), file:line first. */
  readonly warnings: readonly string[];
}

export type BuildableNode = ModelNode | SeedNode;
