// dbt's hooks on every engine: on-run-start and on-run-end from dbt_project.yml around a run,
// and each model's pre- and post-hooks (from dbt_project.yml, a property file and config(),
// adding up) in the transaction that writes it: `{{ this }}` is the model, a failing hook rolls
// the model back, a failing on-run-start builds nothing.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { profilesFor } from './dbt-profiles.js';

const log = "{{ target.schema }}.hook_log";

const project = (startHook: string) => [
  'name: shop', 'profile: shop',
  `on-run-start: ["${startHook}"]`,
  `on-run-end: "insert into ${log} select 'end', '{{ schemas | join(\\",\\") }}'"`,
  'models:',
  '  shop:',
  `    +post-hook: "insert into ${log} select 'built', '{{ this.name }}'"`,
  'seeds:',
  '  shop:',
  '    codes:',
  `      +post-hook: "insert into ${log} select 'seeded', cast(count(*) as varchar(20)) from {{ this }}"`,
  '    scratch:',
  `      +post-hook: "{% do adapter.drop_relation(this.incorporate(type='table')) %}"`,
].join('\n');
const CREATE_LOG = `create table if not exists ${log} (event varchar(20), detail varchar(200))`;

describe.each(ENGINES)('dbt hooks on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let build: CliRun;
  const events = async () => (await p.query(`select event, detail from ${p.sql('hook_log')}`)).map((r) => `${r['event']}:${r['detail']}`);

  beforeAll(async () => {
    p = await pool.create({ files: {
      'dbt_project.yml': project(CREATE_LOG),
      'models/orders.sql': `{{ config(materialized='table', pre_hook="insert into ${log} select 'pre', 'orders'", post_hook=["insert into ${log} select 'rows', cast(count(*) as varchar(20)) from {{ this }}"]) }}\nselect 1 as id union all select 2`,
      'models/_props.yml': `version: 2\nmodels:\n  - name: orders\n    config:\n      post_hook: "insert into ${log} select 'props', 'orders'"\n`,
      'seeds/codes.csv': 'code\na\nb\nc\n',
      'seeds/scratch.csv': 'x\n1\n',
      'seeds/_props.yml': `version: 2\nseeds:\n  - name: codes\n    config:\n      pre_hook: "insert into ${log} select 'seed-pre', '{{ this.name }}'"\n`,
    } });
    rmSync(join(p.dir, 'sf.config.ts'));
    p.write('profiles.yml', profilesFor(engine, p.target, 'shop'));
    build = await p.sf('build');
  });
  afterAll(() => pool.disposeAll());

  it('runs on-run-start first, each hook of the model in order (project, property file, config()), on-run-end last', async () => {
    expect(build.code, build.text).toBe(0);
    expect(build.text).toMatch(/Ran 1 on-run-start hook\./);
    expect(build.text).toMatch(/Ran 1 on-run-end hook\./);
    // Post-hooks run after the swap: {{ this }} holds the new rows.
    const modelEvents = (await events()).filter((e) => !e.startsWith('seed'));
    expect(modelEvents).toEqual(['pre:orders', 'built:orders', 'props:orders', 'rows:2', `end:${p.rel('orders').schema}`]);
  });

  it("runs a seed's hooks around its load, and adapter methods in a hook (drop_relation) where it runs", async () => {
    expect((await events()).filter((e) => e.startsWith('seed'))).toEqual(['seed-pre:codes', 'seeded:3']);
    expect(await p.kindOf(p.rel('codes'))).toBe('table');
    // dbt_utils' integration tests drop a seed in its post-hook, to test a missing relation.
    expect(await p.kindOf(p.rel('scratch'))).toBeUndefined();
    expect(build.text).not.toMatch(/hooks on seeds/i);
  });

  it('a failing post-hook rolls its model back; a failing on-run-start builds nothing', async () => {
    p.write('models/orders.sql', `{{ config(materialized='table', post_hook="insert into no_such_table select 1") }}\nselect 3 as id`);
    const failed = await p.sf('build');
    expect(failed.code).toBe(1);
    expect((await p.query(`select id from ${p.sql('orders')} order by id`)).map((r) => Number(r['id']))).toEqual([1, 2]);
    const before = (await events()).length;
    p.write('dbt_project.yml', project('select * from no_such_table'));
    p.write('models/orders.sql', 'select 4 as id');
    const refused = await p.sf('build');
    expect(refused.code).toBe(1);
    expect(refused.text).toMatch(/dbt_project\.yml: an on-run-start hook failed: .*no_such_table/s);
    expect(await p.kindOf(p.rel('orders'))).toBe('table');
    expect((await events()).length).toBe(before);
  });
});
