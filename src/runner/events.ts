import type { PlanStep } from '../plan/types.js';

export type StepStatus = 'success' | 'error' | 'skipped';

export interface StepResult {
  readonly name: string;
  readonly kind: PlanStep['kind'];
  readonly relation: string;
  readonly status: StepStatus;
  readonly rows?: number | undefined;
  readonly startedAt: string;
  readonly seconds: number;
  /** Why it failed (the engine's words) or was skipped. */
  readonly message?: string | undefined;
  readonly compiledPath?: string | undefined;
  readonly attempts: number;
}

export type RunEvent =
  | { readonly type: 'start'; readonly index: number; readonly total: number; readonly step: PlanStep }
  | { readonly type: 'finish'; readonly index: number; readonly total: number; readonly step: PlanStep; readonly result: StepResult }
  | { readonly type: 'retry'; readonly step: PlanStep; readonly attempt: number; readonly message: string };
