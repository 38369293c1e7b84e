// A broken project, as a user meets it (the built CLI, a subprocess): every error in one pass,
// each with its file and line; config-file errors with the line in the config and the closest
// valid key or value; a config that throws; --project-dir naming a file. Exit 2, nothing written.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSf, tempProject, type TempProject } from '../testing/project.js';

let p: TempProject;
afterEach(() => p?.cleanup());

const sf = (args: string[], cwd: string) => runSf(args, { cwd });

const CONFIG = (body: string) => `import { defineConfig } from 'sf-transform';\n\nexport default defineConfig({\n${body}\n});\n`;
const GOOD_TARGETS = "  name: 'broken',\n  targets: { dev: { type: 'duckdb', path: 'target/test.duckdb' } },";

describe('a broken project', () => {
  it('reports template errors, unknown refs, bad config(), cycles, duplicate names and bad CSVs together', async () => {
    p = tempProject({
      'models/a.sql': 'select 1 as x,\n{{ 1 + }}',
      'models/b.sql': "select * from {{ ref('nope') }}",
      'models/c.sql': "{{ config(materialized='tabel') }}\nselect 1 as x",
      'models/d.sql': "select * from {{ ref('e') }}",
      'models/e.sql': "select * from {{ ref('d') }}",
      'models/x/f.sql': 'select 1 as x',
      'models/y/f.sql': 'select 2 as x',
      'models/fine.sql': 'select 1 as x',
      'seeds/ragged.csv': 'id,name\n1,a\n2\n',
    }, CONFIG(GOOD_TARGETS));
    const run = await sf(['build'], p.dir);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    const firstLines = run.err.split('\n').filter((l) => l.startsWith('error: '));
    expect(firstLines).toEqual([
      "error: models/y/f.sql: two nodes are named 'f': models/x/f.sql and models/y/f.sql",
      'error: models/a.sql:2: template syntax error: unexpected token: }}',
      "error: models/b.sql:1: ref('nope') in model 'b': no model or seed is named 'nope'",
      "error: models/c.sql:1: bad config() in model 'c': materialized: 'tabel' is not one of view, table, ephemeral, incremental (did you mean 'table'?)",
      'error: models/e.sql:1: dependency cycle: d -> e -> d',
      "error: seeds/ragged.csv:3: the row does not have the header's 2 fields (quote a value that contains the delimiter)",
    ]);
    expect(run.err).toMatch(/6 errors; nothing was run\.\n$/);
    expect(existsSync(join(p.dir, 'target/test.duckdb'))).toBe(false);
  });

  it('config-file errors carry their line in the config and the closest key or value', async () => {
    p = tempProject({}, CONFIG([
      "  name: 'broken',",
      '  targets: {',
      "    dev: { type: 'duckdb', path: 'target/test.duckdb', threds: 4 },",
      '  },',
      '  // models: { staging: { materialized: "view" } },  (a comment does not count)',
      '  models: {',
      "    staging: { materialized: 'tabel' },",
      '  },',
    ].join('\n')));
    const run = await sf(['ls'], p.dir);
    expect(run.code).toBe(2);
    expect(run.err).toBe([
      "error: sf.config.ts:6: targets.dev.threds: unknown key 'threds'",
      "  hint: did you mean 'threads'?",
      "error: sf.config.ts:10: models.staging.materialized: 'tabel' is not one of view, table, ephemeral, incremental",
      "  hint: did you mean 'table'?",
      '2 errors; nothing was run.',
      '',
    ].join('\n'));

    p.write('sf.config.ts', CONFIG("  name: 'broken',\n  defaultTarget: 'prod',\n  targets: { prd: { type: 'duckdb', path: 'x.duckdb' } },"));
    expect((await sf(['ls'], p.dir)).err).toBe("error: sf.config.ts:5: defaultTarget 'prod' is not one of the targets (prd)\n  hint: did you mean 'prd'?\n");
  });

  it('a config that throws or does not parse: its line and relative path, no machine path', async () => {
    p = tempProject({}, CONFIG(`${GOOD_TARGETS}\n  vars: { region: process.env.SF_TEST_NO_SUCH_VAR!.trim() },`));
    const threw = await sf(['ls'], join(p.dir));
    expect(threw.code).toBe(2);
    expect(threw.err).toMatch(/^error: sf\.config\.ts:6: cannot load the config: Cannot read properties of undefined \(reading 'trim'\)\n/);
    expect(threw.err).not.toContain(p.dir);

    p.write('sf.config.ts', CONFIG("  name: 'broken',\n  targets: { dev: { type: 'duckdb' path: 'x' } },"));
    const unparsable = await sf(['ls'], p.dir);
    expect(unparsable.err).toMatch(/^error: sf\.config\.ts:5: cannot load the config: ParseError: Unexpected token, expected ","\n/);
    expect(unparsable.err).not.toContain(p.dir);
  });

  it('a config with no default export, a --config naming a folder, an engine type misspelled', async () => {
    p = tempProject({ 'models/a.sql': 'select 1 as x' }, "import { defineConfig } from 'sf-transform';\nexport const config = defineConfig({ name: 'x', targets: { dev: { type: 'duckdb', path: 'x.duckdb' } } });\n");
    expect((await sf(['ls'], p.dir)).err).toBe('error: sf.config.ts: the config file has no default export\n  hint: end it with `export default defineConfig({ name: ..., targets: { ... } })`\n');
    expect((await sf(['ls', '--config', 'models'], p.dir)).err).toBe('error: --config models is a folder, not a config file\n  hint: name the file, e.g. --config sf.config.ts (or --project-dir for the folder)\n');
    p.write('sf.config.ts', CONFIG("  name: 'x',\n  targets: { dev: { type: 'duckbd' as 'duckdb', path: 'x.duckdb' } },"));
    expect((await sf(['ls'], p.dir)).err).toBe("error: sf.config.ts:5: targets.dev.type: 'duckbd' is not one of duckdb, sqlite, postgres\n  hint: did you mean 'duckdb'?\n");
  });

  it("a config importing defineConfig from 'sf' (the name before sf-transform) still loads", async () => {
    p = tempProject({ 'models/a.sql': 'select 1 as x' }, "import { defineConfig } from 'sf';\nexport default defineConfig({ name: 'old', targets: { dev: { type: 'duckdb', path: 'x.duckdb' } } });\n");
    const run = await sf(['ls'], p.dir);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^view\s+a\s+main\.a/);
  });

  it('--project-dir naming a file says so, and names its folder', async () => {
    p = tempProject({}, CONFIG(GOOD_TARGETS));
    const run = await sf(['ls', '--project-dir', 'sf.config.ts'], p.dir);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`error: --project-dir ${join(p.dir, 'sf.config.ts')} is a file, not a directory\n  hint: pass its folder: --project-dir ${p.dir} (or --config sf.config.ts from there)`);
  });
});
