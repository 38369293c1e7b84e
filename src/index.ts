// The public API: config typing and programmatic builds.
export { defineConfig } from './config/types.js';
export type {
  SfConfig, TargetConfig, DuckDBTarget, SQLiteTarget, PostgresTarget, ModelSettings, SourceConfig, SeedsConfig, Materialization,
} from './config/types.js';
export { loadProject, type LoadedProject, type ProjectOptions } from './session/project.js';
export { runProject, type RunRequest, type RunOutcome, type RunCommand } from './session/run.js';
export type { StepResult, RunEvent } from './runner/events.js';
export { UserError, UserErrors } from './util/errors.js';
