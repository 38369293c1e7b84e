import type { Relation, Statement, StepAction } from '../adapters/types.js';
import type { BatchWindow } from '../compiler/types.js';

/** What a step builds; `source` and `test` steps only check (freshness, data tests). */
export type StepKind = 'seed' | 'view' | 'table' | 'incremental' | 'source' | 'test';

/** One transaction: every action lands, or none does. */
export interface PlanUnit {
  /** What the unit builds, for output: a partition key, a window, `prepare`. */
  readonly label?: string | undefined;
  readonly window?: BatchWindow | undefined;
  /** Ledger keys the unit writes, known before it runs: marked failed in the ledger if it fails. */
  readonly partitions?: readonly string[] | undefined;
  readonly actions: readonly StepAction[];
  /**
   * A seed whose types came from a sample: the actions again with types inferred from every
   * row, run when a later value did not fit the sample's types (SampleTooNarrow).
   */
  readonly reinfer?: (() => Promise<readonly StepAction[]>) | undefined;
}

export interface PlanStep {
  /** The node's name; steps depend on each other by name. */
  readonly name: string;
  readonly kind: StepKind;
  readonly relation: Relation;
  /** Steps that must succeed before this one runs. */
  readonly dependsOn: readonly string[];
  /** Runs first, alone: creates (or replaces) the table that batches then fill. */
  readonly prepare?: PlanUnit | undefined;
  /** The step's transactions. A batched step has one per batch; the others one. */
  readonly units: readonly PlanUnit[];
  readonly batched: boolean;
  /** Most units of this step at once (the run's threads and the engine cap it further). */
  readonly concurrency: number;
  /** How the step writes, for output: `insert_overwrite`, `merge`, `full refresh`. */
  readonly how?: string | undefined;
  /** The model's ledger entries, for marking failed batches. */
  readonly ledger?: { readonly model: string } | undefined;
  /** Where the model's compiled SQL was written, for error messages. */
  readonly compiledPath?: string | undefined;
  /** That file's SQL: an engine's line number is moved to its line (runner/sql-lines.ts). */
  readonly compiledSql?: string | undefined;
  /** A check (source, test): it writes no model, so it takes no lock and is not planned again. */
  readonly readOnly?: boolean | undefined;
}

/** A check's step name: `source:raw.orders`, `test:assert_x` (models and seeds use their own). */
export function checkStepName(kind: 'source' | 'test', name: string): string {
  return `${kind}:${name}`;
}

/** What a step name stands for: a check's kind and plain name, or a model's or seed's name. */
export function stepNode(stepName: string): { check?: 'source' | 'test'; name: string } {
  const m = /^(source|test):(.*)$/s.exec(stepName);
  return m ? { check: m[1] as 'source' | 'test', name: m[2]! } : { name: stepName };
}

export interface ExecutionPlan {
  /** Run first, outside the steps: schemas and sf's own tables the steps write into. */
  readonly setup: readonly Statement[];
  readonly steps: readonly PlanStep[];
}
