// Secrets and compiled SQL, as a user meets them (the built CLI, a subprocess). A value that
// holds a secret never enters a template: reading it is the error, at its line, whatever the
// template would do with it next (filters, slices, joins); the SQL that would run is checked
// for every secret too (a schema set from one). So target/compiled/ can hold exactly the SQL
// that ran: nothing in it is masked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSf, tempProject, type TempProject } from '../testing/project.js';

const SECRET = 'Zq7-hunter2-secret';
let p: TempProject;
afterEach(() => p?.cleanup());

const sf = (args: string[], secret = SECRET) => runSf([...args, '--project-dir', p.dir], { env: { SF_SECRET_TOKEN: secret, COPY_OF_TOKEN: secret } });

const config = (extra: string) => `import { defineConfig } from 'sf-transform';
export default defineConfig({ name: 'demo', targets: { dev: { type: 'duckdb', path: 'target/t.duckdb'${extra} } }, vars: { token: process.env.SF_SECRET_TOKEN, nested: { deep: [process.env.SF_SECRET_TOKEN] } } });
`;

describe('a secret on its way into SQL', () => {
  it('is refused at the read, through any filter, slice or join, with the line', async () => {
    p = tempProject({
      'models/upper.sql': "select 1 as id,\n  '{{ var('token') | upper }}' as t",
      'models/slice.sql': "select '{{ var('token').slice(0, 4) }}' || '{{ var('token').substring(4) }}' as t",
      'models/joined.sql': "{% set s = 'x' ~ var('token') %}\nselect '{{ s | reverse }}' as t",
      'models/nested.sql': "select '{{ var('nested').deep[0] | lower }}' as t",
      'models/copied.sql': "select '{{ env_var('COPY_OF_TOKEN') | replace('-', '') }}' as t",
      'models/fine.sql': 'select 1 as id',
      'models/_props.yml': "version: 2\nmodels:\n  - name: fine\n    columns:\n      - name: id\n        data_tests:\n          - not_null:\n              config:\n                where: \"id <> '{{ var('token') | upper }}'\"\n",
    }, config(''));
    const run = await sf(['build']);
    expect(run.code).toBe(2);
    const errors = run.err.split('\n').filter((l) => l.startsWith('error:')).sort();
    expect(errors).toEqual([
      "error: models/_props.yml:9: cannot render 'id <> '{{ var('token') | upper }}'': var('token') holds the value of a secret environment variable; secrets may only be used in connection settings",
      "error: models/copied.sql:1: env_var('COPY_OF_TOKEN') in model 'copied' holds the value of a secret environment variable; a template may not read it",
      "error: models/joined.sql:1: var('token') in model 'joined' holds the value of a secret environment variable; a template may not read it",
      "error: models/nested.sql:1: var('nested') in model 'nested' holds the value of a secret environment variable; a template may not read it",
      "error: models/slice.sql:1: var('token') in model 'slice' holds the value of a secret environment variable; a template may not read it",
      "error: models/upper.sql:2: var('token') in model 'upper' holds the value of a secret environment variable; a template may not read it",
    ]);
    expect(run.out + run.err).not.toContain(SECRET);
    expect(readFileSync(join(p.dir, 'target/sf.log'), 'utf8')).not.toContain(SECRET);
  });

  it('a target setting made from a secret: refused when a template reads it, and as the schema of every relation', async () => {
    p = tempProject({
      'models/a.sql': 'select 1 as id',
      'models/reads.sql': "select 1 as id,\n  '{{ target.schema | upper }}' as s",
      'models/refs.sql': "select * from {{ ref('a') }}",
    }, config(', schema: process.env.SF_SECRET_TOKEN'));
    const run = await sf(['compile']);
    expect(run.code).toBe(2);
    expect(run.err).toContain("error: models/reads.sql:2: target.schema in model 'reads' holds the value of a secret environment variable; a template may not read it");
    expect(run.out + run.err).not.toContain(SECRET);
    // Without the template that reads it: the config itself is refused, since every relation name would hold it.
    p.write('models/reads.sql', 'select 2 as id');
    const names = await sf(['compile']);
    expect(names.code).toBe(2);
    expect(names.err).toBe("error: sf.config.ts: config: the target's schema: a value holds the value of a secret environment variable\n  hint: secrets (SF_SECRET_*, the Postgres password) may only be used in connection settings; a schema or alias set from one puts it in every relation name\n");
    expect(names.out + names.err).not.toContain(SECRET);
  });

  it('a template cannot reach JavaScript (the Function constructor) to read one behind every check', async () => {
    p = tempProject({
      'models/fn.sql': "select '{{ range.constructor(\"return process.env.SF_SECRET_TOKEN\")() | reverse }}' as x",
      'models/key.sql': "{% set c = 'constructor' %}\nselect '{{ cycler[c] }}' as x",
      'models/name.sql': "select '{{ constructor }}' as x",
    }, config(''));
    const run = await sf(['compile']);
    expect(run.code).toBe(2);
    for (const model of ['fn', 'key', 'name']) {
      expect(run.err).toMatch(new RegExp(`error: models/${model}\\.sql:\\d+: template error: 'constructor' cannot be used in a template: it reaches JavaScript internals, not data`));
    }
    expect(run.out + run.err).not.toContain(SECRET.split('').reverse().join(''));
  });

  it('names and settings from the config that hold one are refused, printed or not', async () => {
    p = tempProject({ 'models/marts/m.sql': "select '{{ this.name | reverse }}' as x" },
      config('').replace('vars: {', "models: { marts: { alias: process.env.SF_SECRET_TOKEN } }, vars: {"));
    const run = await sf(['compile']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('error: sf.config.ts: config: models (folder settings): a value holds the value of a secret environment variable');
    expect(run.out + run.err).not.toContain(SECRET.split('').reverse().join(''));
  });

  it('a secret with quotes and backslashes: refused inside nested vars, masked in JSON output', async () => {
    const tricky = 'Pa"ss\\word99';
    p = tempProject({ 'models/n.sql': "select '{{ var('nested').deep[0] | reverse }}' as x" }, config(''));
    const refused = await sf(['compile'], tricky);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("var('nested') in model 'n' holds the value of a secret environment variable");
    p.write('models/n.sql', 'select 1 as x');
    p.write('sf.config.ts', config('').replace("path: 'target/t.duckdb'", "path: 'target/' + process.env.SF_SECRET_TOKEN + '.duckdb'"));
    const built = await sf(['build', '--log-format', 'json'], tricky);
    const json = built.out + built.err;
    expect(json).toContain('"msg":"sf 0.1.0: project demo');
    expect(json).toContain('target/***.duckdb');
    expect(json).not.toContain('word99');
  });

  it('compiled SQL is exactly what runs: nothing in it is masked', async () => {
    p = tempProject({ 'models/urls.sql': "select 'postgres://app:not-a-secret@db.example/prod' as dsn, 'x' as \"***\"" }, config(''));
    const run = await sf(['build']);
    expect(run.code, run.err).toBe(0);
    expect(readFileSync(join(p.dir, 'target/compiled/demo/models/urls.sql'), 'utf8'))
      .toBe("select 'postgres://app:not-a-secret@db.example/prod' as dsn, 'x' as \"***\"\n");
  });
});
