// Golden test: the SQL each incremental strategy runs, per engine, for a table that exists (an
// incremental run) and for a backfill range, with the statements decided inside the
// transaction rendered from fixed facts (the staged and table columns, the staged partitions,
// the run id and clock). Regenerate after an intended change with UPDATE_GOLDEN=1 and review.
import { afterAll, describe, expect, it } from 'vitest';
import { golden } from '../testing/golden.js';
import { relationKey, type DeferredFacts } from '../adapters/types.js';
import { loadProject } from '../session/project.js';
import { tempProject } from '../testing/project.js';
import type { BatchRequest } from './materializations/batches.js';
import { buildPlan } from './plan.js';
import { renderPlan } from './render.js';

const inc = (config: string) => `{{ config(materialized='incremental', ${config}) }}
select id, cast(d as date) as d, amount from {{ source('raw', 'events') }}{% if is_incremental() %} where amount > 0{% endif %}`;

const project = tempProject({
  'models/appended.sql': inc("incremental_strategy='append'"),
  'models/merged.sql': inc("unique_key='id', merge_exclude_columns=['d'], incremental_predicates=[\"DBT_INTERNAL_DEST.d > cast('2026-01-01' as date)\"]"),
  'models/deleted.sql': inc("incremental_strategy='delete+insert', unique_key=['id', 'd'], incremental_predicates=['amount > 0']"),
  'models/overwritten.sql': inc("incremental_strategy='insert_overwrite', partition_by='d'"),
  'models/by_bucket.sql': inc("incremental_strategy='insert_overwrite', partition_by={'field': 'id', 'data_type': 'int64', 'range': {'start': 0, 'end': 100, 'interval': 10} }"),
  'models/batched.sql': inc("incremental_strategy='microbatch', event_time='d', batch_size='day', begin='2026-06-01'"),
  'models/self_reading.sql': `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='d', batch_size='day', begin='2026-06-01') }}
select id, cast(d as date) as d, amount from {{ source('raw', 'events') }}{% if is_incremental() %} where id not in (select id from {{ this }}){% endif %}`,
}, `import { defineConfig } from 'sf-transform';
export default defineConfig({
  name: 'golden',
  targets: {
    duckdb: { type: 'duckdb', path: 'target/g.duckdb' },
    sqlite: { type: 'sqlite', path: 'target/g.sqlite' },
    postgres: { type: 'postgres', schema: 'analytics' },
  },
  sources: { raw: { tables: [{ name: 'events', event_time: 'd' }] } },
});
`);
afterAll(() => project.cleanup());

const NOW = '2026-06-03 12:00:00';
const facts = (keys: string[]): DeferredFacts => {
  const cols = [{ name: 'id', type: 'INTEGER' }, { name: 'd', type: 'DATE' }, { name: 'amount', type: 'INTEGER' }];
  return {
    columns: [cols, cols],
    values: [keys],
    unit: { runId: 'run-1', attempt: 1, startedAt: '2026-06-03T12:00:00.000Z', now: () => '2026-06-03T12:00:01.000Z' },
  };
};

async function planFor(engine: string, request: BatchRequest, exists: boolean) {
  const loaded = await loadProject({ projectDir: project.dir, target: engine });
  const models = loaded.compiled.models;
  const plan = buildPlan({
    graph: loaded.graph,
    selected: new Set(models.map((m) => m.node.name)),
    dialect: loaded.dialect,
    state: new Map(exists ? models.map((m) => [relationKey(m.relation), 'table' as const]) : []),
    projectDir: project.dir,
    seedTables: new Map(),
    render: loaded.compiled.render,
    ledger: new Map([[`${loaded.dialect.defaultSchema}.overwritten`, [
      { relation: `${loaded.dialect.defaultSchema}.overwritten`, model: 'overwritten', partition: '2026-06-02', rows: 3, checksum: '1', runId: 'r0', startedAt: '', finishedAt: '', status: 'success', attempts: 1, error: null },
    ]]]),
    request,
  });
  return plan;
}

async function planText(engine: string, request: BatchRequest, exists: boolean): Promise<string> {
  const plan = await planFor(engine, request, exists);
  return renderPlan(plan, (step, unit) => facts(
    unit.window?.partition ? [unit.window.partition] : step.name === 'by_bucket' ? ['0', '10', '__unpartitioned__'] : ['2026-06-02', '2026-06-03']));
}

describe.each(['duckdb', 'sqlite', 'postgres'])('incremental golden SQL (%s)', (engine) => {
  it('an incremental run of every strategy', async () => {
    golden(import.meta.url, `${engine}-incremental-run.sql`, await planText(engine, { fullRefresh: false, missing: false, now: NOW }, true));
  });

  it('batches of a model that reads its own table run one at a time (as dbt decides); others in parallel', async () => {
    const plan = await planFor(engine, { fullRefresh: false, missing: false, now: NOW }, true);
    const step = (name: string) => plan.steps.find((s) => s.name === name)!;
    expect(step('self_reading').concurrency).toBe(1);
    expect(step('batched').concurrency).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('a first build, and a backfill of two days', async () => {
    const first = await planText(engine, { fullRefresh: false, missing: false, now: NOW }, false);
    const range = await planText(engine, { fullRefresh: false, missing: false, now: NOW, range: { start: '2026-06-01 00:00:00', end: '2026-06-02 00:00:00', endExclusive: false } }, true);
    golden(import.meta.url, `${engine}-incremental-first-build-and-backfill.sql`, `-- first build\n${first}\n-- backfill 2026-06-01..2026-06-02\n${range}`);
  });
});
