import type { Relation, Statement, StepAction } from '../adapters/types.js';

export type StepKind = 'seed' | 'view' | 'table';

export interface PlanStep {
  /** The node's name; steps depend on each other by name. */
  readonly name: string;
  readonly kind: StepKind;
  readonly relation: Relation;
  /** Steps that must succeed before this one runs. */
  readonly dependsOn: readonly string[];
  /** Run in order inside one transaction: all of it lands, or none of it. */
  readonly actions: readonly StepAction[];
  /** Where the model's compiled SQL was written, for error messages. */
  readonly compiledPath?: string | undefined;
}

export interface ExecutionPlan {
  /** Run first, outside the steps: schemas the steps write into. */
  readonly setup: readonly Statement[];
  readonly steps: readonly PlanStep[];
}
