// Secrets and compiled SQL, as a user meets them (the built CLI, a subprocess). A value that
// holds a secret never enters a template: reading it is the error, at its line, whatever the
// template would do with it next (filters, slices, joins); the SQL that would run is checked
// for every secret too (a schema set from one). So target/compiled/ can hold exactly the SQL
// that ran: nothing in it is masked.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../testing/project.js';

const bin = fileURLToPath(new URL('../../bin/sf.js', import.meta.url));
const SECRET = 'Zq7-hunter2-secret';
let p: TempProject;
afterEach(() => p?.cleanup());

function sf(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args, '--project-dir', p.dir], { env: { ...process.env, SF_SECRET_TOKEN: SECRET, COPY_OF_TOKEN: SECRET, NO_COLOR: '1' } },
      (error, out, err) => done({ code: error ? Number(error.code) : 0, out, err }));
  });
}

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

  it('a target setting made from a secret: refused when a template reads it, and when a relation name would hold it', async () => {
    p = tempProject({
      'models/a.sql': 'select 1 as id',
      'models/reads.sql': "select 1 as id,\n  '{{ target.schema | upper }}' as s",
      'models/refs.sql': "select * from {{ ref('a') }}",
    }, config(', schema: process.env.SF_SECRET_TOKEN'));
    const run = await sf(['compile']);
    expect(run.code).toBe(2);
    expect(run.err).toContain("error: models/reads.sql:2: target.schema in model 'reads' holds the value of a secret environment variable; a template may not read it");
    expect(run.out + run.err).not.toContain(SECRET);
    // Without the template that reads it: the relation names are refused.
    p.write('models/reads.sql', 'select 2 as id');
    const names = await sf(['compile']);
    expect(names.code).toBe(2);
    expect(names.err).toContain("error: models/refs.sql: model 'refs' renders the value of a secret environment variable into its SQL\n  hint: secrets (SF_SECRET_*, the Postgres password) may only be used in connection settings; a schema or alias set from one puts it in every relation name");
    expect(names.out + names.err).not.toContain(SECRET);
  });

  it('compiled SQL is exactly what runs: nothing in it is masked', async () => {
    p = tempProject({ 'models/urls.sql': "select 'postgres://app:not-a-secret@db.example/prod' as dsn, 'x' as \"***\"" }, config(''));
    const run = await sf(['build']);
    expect(run.code, run.err).toBe(0);
    expect(readFileSync(join(p.dir, 'target/compiled/demo/models/urls.sql'), 'utf8'))
      .toBe("select 'postgres://app:not-a-secret@db.example/prod' as dsn, 'x' as \"***\"\n");
  });
});
