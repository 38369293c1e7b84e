import type { GenericTestDeclaration } from '../parser/properties.js';
import type { SingularTestConfig } from '../config/schema.js';
import type { Materialization, ModelSettings } from '../config/types.js';
import type { Relation } from '../adapters/types.js';
import type { ModelNode, SeedNode, TestNode } from '../parser/nodes.js';
import type { WarehouseAnswers } from './warehouse.js';

export type ResolvedModelSettings = Readonly<Omit<ModelSettings, 'materialized' | 'tags'>> & {
  readonly materialized: Materialization;
  readonly tags: readonly string[];
};

export interface CompiledModel {
  readonly node: ModelNode;
  readonly settings: ResolvedModelSettings;
  readonly relation: Relation;
  /**
   * SQL with refs resolved and ephemeral models inlined; what the engine runs. For a model that
   * asks the warehouse while it renders, its first render's (`execute` false) until it is
   * rendered with the answers (CompiledProject.render).
   */
  readonly sql: string;
  /** dbt's pre- and post-hooks, rendered: run in each transaction writing the model, before and after it. */
  readonly hooks?: { readonly pre: readonly string[]; readonly post: readonly string[] } | undefined;
  /** Its template asks the warehouse (run_query, statement, adapter.get_columns_in_relation...). */
  readonly asksWarehouse?: true | undefined;
  /** Names of the models and seeds this model reads. */
  readonly refs: readonly string[];
  /** `source.table` pairs this model reads. */
  readonly sources: readonly { readonly source: string; readonly table: string }[];
}

/** A singular test (tests/*.sql) rendered: SQL returning the failing rows. */
export interface CompiledTest {
  readonly node: TestNode;
  readonly sql: string;
  /** Models and seeds it reads: `--select x` includes the tests on x. */
  readonly refs: readonly string[];
  readonly sources: readonly { readonly source: string; readonly table: string }[];
  /** Set when its template asks the warehouse: renders it with the answers (compiler/warehouse.ts). */
  readonly render?: ((answers: WarehouseAnswers) => string) | undefined;
  /** Its `{{ config(...) }}`: severity, warn_if, error_if, limit, store_failures, tags. */
  readonly config: Readonly<SingularTestConfig>;
}

export interface CompiledSeed {
  readonly node: SeedNode;
  readonly relation: Relation;
  /** Its pre- and post-hooks, rendered, as a model's. */
  readonly hooks?: CompiledModel['hooks'];
}

/** A batch's time window, UTC, as `YYYY-MM-DD HH:MM:SS`: [start, end); no end = open. */
export interface BatchWindow {
  readonly start: string;
  readonly end?: string | undefined;
  /** The partition key the batch builds (`2026-06-01`), when it is one partition. */
  readonly partition?: string | undefined;
  /**
   * `false`: only `sf.batch_*` see the window; inputs with an event_time are read whole. An
   * incremental run outside batches does so, since its inputs' times need not line up with
   * the partitions it replaces.
   */
  readonly filterInputs?: boolean | undefined;
}

/** What a run-time render knows that the project compile does not. */
export interface RenderContext {
  /** `is_incremental()`: the table exists, is a table, and this is no full refresh. */
  readonly isIncremental: boolean;
  /** Set for a batch: `sf.batch_*` and event_time filters on inputs. */
  readonly batch?: BatchWindow | undefined;
}

export const STATIC_CONTEXT: RenderContext = Object.freeze({ isIncremental: false });

export interface CompiledProject {
  readonly models: readonly CompiledModel[];
  readonly seeds: readonly CompiledSeed[];
  readonly tests: readonly CompiledTest[];
  /** Models with enabled: false (not rendered when a folder default disables them). */
  readonly disabled: readonly string[];
  /** What models' config() set that sf does not apply (`file:line: ...`). */
  readonly warnings: readonly string[];
  /** Models whose first render came from the render cache (target/partial_parse/), not Nunjucks. */
  readonly reused: ReadonlySet<string>;
  /**
   * Render a model again for a run: with `is_incremental()` answered, and in a batch, its
   * inputs that declare an event_time filtered to the window. Throws a UserError (file:line)
   * on a template error, or on a ref() the project compile did not see.
   */
  readonly render: (model: string, ctx: RenderContext, answers?: WarehouseAnswers) => string;
  /** The failing-rows SQL of a project's own generic test on `model` (a relation, as SQL). */
  readonly renderGenericTest: (test: GenericTestDeclaration, model: Relation, answers?: WarehouseAnswers) => Snippet;
  /** A templated value of a test declaration (a `where` with ref()), rendered as SQL. */
  /** `what` names the text in errors (default: the test `name`). */
  readonly renderSnippet: (text: string, at: { name: string; file: string; line?: number | undefined; what?: string }, extra?: object) => Snippet;
  /** SQL reading an ephemeral model's relation, with the model inlined as a CTE (as dbt tests one). */
  readonly inlineEphemeral: (sql: string, model: string) => string;
}

/** SQL rendered outside a model, and the models and seeds it refs. */
export interface Snippet {
  readonly sql: string;
  readonly refs: readonly string[];
  /** A test block's own config() (fail_calc, ...). */
  readonly testConfig?: Readonly<SingularTestConfig> | undefined;
}
