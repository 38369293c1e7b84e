import type { TestOutcome } from '../adapters/types.js';
import type { BatchWindow } from '../compiler/types.js';
import type { PlanStep, PlanUnit } from '../plan/types.js';

export type StepStatus = 'success' | 'error' | 'skipped';

/** One batch of a batched step (or its prepare unit). */
export interface BatchResult {
  readonly label: string;
  readonly window?: BatchWindow | undefined;
  readonly status: StepStatus;
  readonly rows?: number | undefined;
  readonly startedAt: string;
  readonly seconds: number;
  readonly attempts: number;
  readonly message?: string | undefined;
  readonly warnings?: readonly string[] | undefined;
  /** Its data tests' outcomes (status, failures, rows quarantined). */
  readonly tests?: readonly TestOutcome[] | undefined;
}

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
  /** How an incremental step wrote: `insert_overwrite by day`, `merge`, `first build`. */
  readonly how?: string | undefined;
  /** Per batch, for a batched step. */
  readonly batches?: readonly BatchResult[] | undefined;
  /** Data test warnings: reported, the rows published. */
  readonly warnings?: readonly string[] | undefined;
  /** Its data tests' outcomes, over all its batches. */
  readonly tests?: readonly TestOutcome[] | undefined;
}

export type RunEvent =
  /** `relation`: as the engine names it (SQLite `raw__orders`). */
  | { readonly type: 'start'; readonly index: number; readonly total: number; readonly step: PlanStep; readonly relation: string }
  | { readonly type: 'finish'; readonly index: number; readonly total: number; readonly step: PlanStep; readonly result: StepResult }
  | { readonly type: 'wait'; readonly step: PlanStep; readonly holder: string; readonly timeoutSeconds: number }
  | { readonly type: 'retry'; readonly step: PlanStep; readonly unit: PlanUnit; readonly attempt: number; readonly delayMs: number; readonly message: string }
  | { readonly type: 'batch'; readonly step: PlanStep; readonly done: number; readonly total: number; readonly result: BatchResult; readonly rows: number; readonly elapsedSeconds: number };
