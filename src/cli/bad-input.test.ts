// Every bad input: a clear message with file and line, the right exit code, and nothing
// written to the warehouse.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../testing/project.js';

let p: TempProject;
afterEach(() => p?.cleanup());

const GOOD = {
  'seeds/things.csv': 'id,name\n1,a\n2,b\n',
  'models/stg_things.sql': "select * from {{ ref('things') }}",
  'models/big.sql': "{{ config(materialized='table') }}select id * 10 as id from {{ ref('stg_things') }}",
};
const DB = 'target/test.duckdb';

async function expectInvalid(files: Record<string, string>, pattern: RegExp, config?: string) {
  p = tempProject({ ...GOOD, ...files }, config);
  const { code, err, out } = await p.sf('build');
  expect(code).toBe(2);
  expect(err).toMatch(pattern);
  expect(out).toBe('');
  expect(existsSync(join(p.dir, DB))).toBe(false);
  return err;
}

describe('invalid projects exit 2 and write nothing', () => {
  it('an undefined name printed by a template is an error with its line and the closest name; testing one stays allowed', async () => {
    const err = await expectInvalid({
      'models/typo.sql': "select 1 as id\n, '{{ targt.name }}' as t\n{% if nope %}, 2 as y{% endif %}\n, '{{ nope | default(\"d\") }}' as z",
      'models/attr.sql': 'select {{ this.nme }} as x',
    }, /models\/typo\.sql:2: 'targt\.name' is not defined: printed into the SQL it would be an empty string\n {2}hint: did you mean 'target'\?/);
    expect(err).toContain("models/attr.sql:1: 'this.nme' is not defined");
    expect(err).toContain('2 errors; nothing was run.');
  });

  it('arithmetic on an undefined name prints NaN: an error at its line, never SQL', async () => {
    await expectInvalid({ 'models/n.sql': "select 1 as a,\n  {{ 1 + qty }} as b" },
      /^error: models\/n\.sql:2: '1 \+ qty' is not a number \(NaN\): arithmetic on an undefined name or on text\n/);
  });

  it('an {% include %} names its own line and says to use a macro', async () => {
    await expectInvalid({ 'models/inc.sql': "select 1 as a\n-- two\n{% include 'shared.sql' %}" },
      /^error: models\/inc\.sql:3: \{% include 'shared\.sql' %\}: sf has no template files to include from\n {2}hint: put the shared SQL in a macro under macros\//);
  });

  it('template syntax error', async () => {
    await expectInvalid({ 'models/bad.sql': 'select 1\n{{ ref( }}' }, /^error: models\/bad\.sql:2: template syntax error/);
  });
  it('ref() to a missing model, with the closest name', async () => {
    await expectInvalid({ 'models/x.sql': "select * from {{ ref('stg_thing') }}" }, /models\/x\.sql:1: .*no model or seed is named 'stg_thing'\n  hint: did you mean 'stg_things'\?/);
  });
  it('a cycle prints the whole chain', async () => {
    await expectInvalid({
      'models/a.sql': "select * from {{ ref('b') }}",
      'models/b.sql': "select * from {{ ref('a') }}",
    }, /dependency cycle: a -> b -> a/);
  });
  it('two models with the same name', async () => {
    await expectInvalid({ 'models/x/big.sql': 'select 1' }, /two nodes are named 'big': models\/big\.sql and models\/x\/big\.sql/);
  });
  it('unknown config() key', async () => {
    await expectInvalid({ 'models/x.sql': "{{ config(materialize='table') }}select 1" }, /models\/x\.sql:1: bad config\(\) in model 'x': unknown config 'materialize': did you mean 'materialized'\?/);
  });
  it('bad config() value', async () => {
    await expectInvalid({ 'models/x.sql': "{{ config(tags='daily') }}select 1" }, /models\/x\.sql:1: bad config\(\) in model 'x': tags: expected array/);
  });
  it('a seed with a ragged row', async () => {
    await expectInvalid({ 'seeds/things.csv': 'id,name\n1,a\n2\n' }, /seeds\/things\.csv:3: the row does not have the header's 2 fields/);
  });
  it('a source not declared in the config', async () => {
    await expectInvalid({ 'models/x.sql': "select * from {{ source('raw', 'nope') }}" }, /source\('raw', 'nope'\) in model 'x' is not declared/);
  });
  it('an invalid config names the key and the expected type', async () => {
    await expectInvalid({}, /^error: sf\.config\.ts:2: targets\.dev\.path: expected string, received number/,
      `import { defineConfig } from 'sf-transform';\nexport default defineConfig({ name: 'x', targets: { dev: { type: 'duckdb', path: 42 as any } } });\n`);
  });
  it('bad --vars, unknown target, unknown option', async () => {
    p = tempProject(GOOD);
    expect(await p.sf('build', '--vars', '{nope')).toMatchObject({ code: 2, err: expect.stringMatching(/--vars is not valid YAML or JSON/) });
    expect(await p.sf('build', '--target', 'prd')).toMatchObject({ code: 2, err: expect.stringMatching(/no target named 'prd'/) });
    expect((await p.sf('build', '--bogus')).code).toBe(2);
    expect(existsSync(join(p.dir, DB))).toBe(false);
  });

  it('sf retry with no previous run, and with nothing to retry', async () => {
    p = tempProject(GOOD);
    expect(await p.sf('retry')).toMatchObject({ code: 2, err: expect.stringMatching(/no previous run to retry: .*run_results\.json does not exist\n  hint: run sf build/) });
    expect((await p.sf('build')).code).toBe(0);
    expect(await p.sf('retry')).toMatchObject({ code: 0, out: 'Nothing to retry: every node of the last run succeeded.' });
  });

  it('bad partition ranges and lock timeouts', async () => {
    p = tempProject(GOOD);
    const cases: [string[], RegExp][] = [
      [['--start', '2026-13-01'], /--start '2026-13-01' is not a date\n  hint: use YYYY-MM-DD/],
      [['--start', '2026-06-01', '--end', 'june'], /--end 'june' is not a date/],
      [['--end', '2026-06-01'], /--end needs --start/],
      [['--start', '2026-06-02', '--end', '2026-06-01'], /the range ends \(2026-06-01\) before it starts \(2026-06-02\)/],
      [['--event-time-start', '2026-06-01'], /--event-time-start and --event-time-end go together/],
      [['--start', '2026-06-01', '--event-time-end', '2026-06-02'], /not both/],
      [['--start', '2026-06-01', '--missing'], /--missing finds its own partitions/],
      [['--lock-timeout', '-1'], /--lock-timeout takes seconds >= 0, got '-1'/],
    ];
    for (const [args, pattern] of cases) {
      expect(await p.sf('build', ...args), args.join(' ')).toMatchObject({ code: 2, err: expect.stringMatching(pattern) });
    }
    expect(existsSync(join(p.dir, DB))).toBe(false);
  });
});

describe('a failing model', () => {
  it('exits 1, keeps the previous table, skips downstream, still runs independent nodes', async () => {
    p = tempProject(GOOD);
    expect((await p.sf('build')).code).toBe(0);
    p.write('models/big.sql', "{{ config(materialized='table') }}select id * 10 as id, nope from {{ ref('stg_things') }}");
    p.write('models/after_big.sql', "select * from {{ ref('big') }}");
    p.write('models/independent.sql', "select 1 as one");
    const { code, out } = await p.sf('build');
    expect(code).toBe(1);
    expect(out).toMatch(/ERROR table main\.big/);
    expect(out).toMatch(/SKIP view main\.after_big/);
    expect(out).toMatch(/OK view main\.independent/);
    expect(out).toMatch(/Model 'big' \(main\.big\) failed:\n  Binder Error: Referenced column "nope" not found/);
    expect(out).toContain('compiled SQL: target/compiled/demo/models/big.sql');
    expect(out).toContain('Done. PASS=3 ERROR=1 SKIP=1 TOTAL=5');
    expect(await p.query('select id from main.big order by id')).toEqual([{ id: 10 }, { id: 20 }]);
    expect(await p.query("select count(*) as n from information_schema.tables where table_name like '%sf_stage%'")).toEqual([{ n: '0' }]);
  });
});

describe('the target database', () => {
  it('held by another process: waits up to --lock-timeout, then exit 2 naming its PID', async () => {
    p = tempProject(GOOD);
    expect((await p.sf('seed')).code).toBe(0);
    const holder = spawn(process.execPath, ['-e', `
      const { DuckDBInstance } = require(${JSON.stringify(require_resolve('@duckdb/node-api'))});
      DuckDBInstance.create(${JSON.stringify(join(p.dir, DB))}).then(() => { console.log('held'); setTimeout(() => {}, 30000); });
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const t0 = Date.now();
      const { code, err } = await p.sf('build', '--lock-timeout', '0.5');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
      expect(code).toBe(2);
      expect(err).toContain(`target database target/test.duckdb is in use by PID ${holder.pid}; waiting up to 0.5 s`);
      expect(err).toContain(`error: target database target/test.duckdb is in use by PID ${holder.pid}\n  hint: DuckDB files are held by one process at a time; waited 0.5 s (--lock-timeout): wait for that process or stop it`);
    } finally {
      holder.kill();
    }
  });

  it('ls and compile never open it', async () => {
    p = tempProject(GOOD);
    const ls = await p.sf('ls');
    expect(ls.code).toBe(0);
    expect(ls.out.split('\n')).toHaveLength(3);
    const compile = await p.sf('compile');
    expect(compile.out).toContain('Compiled 2 models');
    expect(existsSync(join(p.dir, 'target/compiled/demo/models/big.sql'))).toBe(true);
    expect(existsSync(join(p.dir, DB))).toBe(false);
    expect(statSync(join(p.dir, 'target/manifest.json')).size).toBeGreaterThan(0);
  });
});

function require_resolve(name: string): string {
  return createRequire(import.meta.url).resolve(name);
}
