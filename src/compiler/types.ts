import type { Materialization, ModelSettings } from '../config/types.js';
import type { Relation } from '../adapters/types.js';
import type { ModelNode, SeedNode } from '../parser/nodes.js';

export type ResolvedModelSettings = Readonly<Omit<ModelSettings, 'materialized' | 'tags'>> & {
  readonly materialized: Materialization;
  readonly tags: readonly string[];
};

export interface CompiledModel {
  readonly node: ModelNode;
  readonly settings: ResolvedModelSettings;
  readonly relation: Relation;
  /** SQL with refs resolved and ephemeral models inlined; what the engine runs. */
  readonly sql: string;
  /** Names of the models and seeds this model reads. */
  readonly refs: readonly string[];
  /** `source.table` pairs this model reads. */
  readonly sources: readonly { readonly source: string; readonly table: string }[];
}

export interface CompiledSeed {
  readonly node: SeedNode;
  readonly relation: Relation;
}

export interface CompiledProject {
  readonly models: readonly CompiledModel[];
  readonly seeds: readonly CompiledSeed[];
}
