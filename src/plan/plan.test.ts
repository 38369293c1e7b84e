// Golden test: the SQL the pure planner emits for a small project and a given warehouse
// state. Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { relationKey, type RelationKind } from '../adapters/types.js';
import { inspectSeed } from '../parser/seed-csv.js';
import { loadProject } from '../session/project.js';
import { tempProject } from '../testing/project.js';
import { buildPlan } from './plan.js';
import { renderPlan } from './render.js';

const project = tempProject({
  'seeds/things.csv': 'id,price,day\n1,9.99,2026-05-01\n',
  'models/staging/stg_things.sql': 'select id, price from {{ ref("things") }}',
  'models/eph.sql': "{{ config(materialized='ephemeral') }}select id from {{ ref('stg_things') }}",
  'models/marts/totals.sql': "{{ config(materialized='table', schema='marts') }}select count(*) as n from {{ ref('eph') }}",
  'models/marts/was_table.sql': "select * from {{ ref('totals') }}",
}, `import { defineConfig } from 'sf-transform';
export default defineConfig({
  name: 'golden',
  targets: { dev: { type: 'duckdb', path: 'target/g.duckdb' } },
  seeds: { schema: 'raw' },
});
`);
afterAll(() => project.cleanup());

async function planText(state: Record<string, RelationKind>): Promise<string> {
  const loaded = await loadProject({ projectDir: project.dir });
  const seed = loaded.compiled.seeds[0]!;
  const plan = buildPlan({
    graph: loaded.graph,
    selected: new Set(loaded.graph.order),
    dialect: loaded.dialect,
    state: new Map(Object.entries(state).map(([k, v]) => [relationKey({ schema: k.split('.')[0]!, name: k.split('.')[1]! }), v])),
    projectDir: project.dir,
    seedTables: new Map([[seed.node.name, await inspectSeed(project.dir, seed.node)]]),
    render: loaded.compiled.render,
  });
  return renderPlan(plan);
}

function golden(name: string, text: string): void {
  const path = fileURLToPath(new URL(`./__golden__/${name}`, import.meta.url));
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('plan golden SQL (duckdb)', () => {
  it('a first build: nothing exists yet', async () => {
    golden('duckdb-first-build.sql', await planText({}));
  });

  it('a rebuild: tables replaced, a table turned into a view, a view replaced', async () => {
    golden('duckdb-rebuild.sql', await planText({
      'raw.things': 'table', 'main.stg_things': 'view', 'marts.totals': 'table', 'main.was_table': 'table',
    }));
  });
});
