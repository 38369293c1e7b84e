// The global output flags, run as a user runs them (the built CLI, a subprocess): colour on a
// terminal (a real pseudo-terminal from `script`) and never when piped, NO_COLOR / --no-color,
// --quiet, --log-format json, and target/sf.log.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../testing/project.js';

const bin = fileURLToPath(new URL('../../bin/sf.cjs', import.meta.url));
const ESC = '\x1b[';
let p: TempProject;

beforeAll(() => {
  p = tempProject({
    'models/ok.sql': "{{ config(materialized='table') }}\nselect 1 as id",
    'models/later.sql': "select * from {{ ref('ok') }}",
    'models/broken.sql': "{{ config(materialized='table') }}\nselect {{ 'nope' if var('break', false) else '1' }} as x",
  });
});
afterAll(() => p.cleanup());

interface Ran { code: number; out: string; err: string }
/** `sf <args>` with stdout and stderr piped, or (`tty`) on a pseudo-terminal, both streams merged into out. */
function sf(args: string[], { env = {}, tty = false }: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}): Promise<Ran> {
  const base = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env };
  const line = [process.execPath, bin, ...args, '--project-dir', p.dir].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const [cmd, argv] = tty ? ['script', ['-qec', line, '/dev/null']] as const : [process.execPath, [bin, ...args, '--project-dir', p.dir]] as const;
  return new Promise((done) => {
    execFile(cmd, argv, { env: base }, (error, out, err) => done({ code: error ? Number(error.code ?? 1) : 0, out, err }));
  });
}

describe('colour', () => {
  it('on a terminal: status words and the summary coloured', async () => {
    const run = await sf(['build'], { tty: true });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain(`${ESC}32mOK${ESC}39m table main.ok`);
    expect(run.out).toContain(`${ESC}32mPASS=3${ESC}39m`);
  });

  it('never when piped; NO_COLOR and --no-color turn it off on a terminal; --color and FORCE_COLOR turn it on when piped', async () => {
    const piped = await sf(['build']);
    expect(piped.out).toContain('OK table main.ok');
    expect(piped.out).not.toContain(ESC);
    for (const run of [await sf(['build'], { tty: true, env: { NO_COLOR: '1' } }), await sf(['build', '--no-color'], { tty: true })]) {
      expect(run.out).toContain('PASS=3');
      expect(run.out).not.toContain(`${ESC}32m`);
    }
    expect((await sf(['build', '--color'])).out).toContain(`${ESC}32mOK`);
    expect((await sf(['build'], { env: { FORCE_COLOR: '1' } })).out).toContain(`${ESC}32mOK`);
  });

  it('errors in red on the terminal', async () => {
    const run = await sf(['build', '--vars', '{"break": true}'], { tty: true });
    expect(run.code).toBe(1);
    expect(run.out).toContain(`${ESC}31mERROR${ESC}39m table main.broken`);
    expect(run.out).toContain(`${ESC}31mERROR=1${ESC}39m`);
  });
});

describe('--quiet', () => {
  it('prints the results and errors only: no header, no line per node', async () => {
    const run = await sf(['build', '-q', '--vars', '{"break": true}']);
    expect(run.code).toBe(1);
    expect(run.out).not.toContain('sf 0.');
    expect(run.out).not.toContain('START');
    expect(run.out).not.toMatch(/OK table/);
    expect(run.out.startsWith('Finished running 1 view, 2 tables in ')).toBe(true);
    expect(run.out).toContain("Model 'broken' (main.broken) failed:");
    expect(run.out).toMatch(/Done\. PASS=2 ERROR=1 SKIP=0 TOTAL=3\n$/);
    // Listings are results: --quiet keeps them.
    expect((await sf(['ls', '--quiet'])).out).toMatch(/^table\s+broken/);
  });
});

describe('--log-format json', () => {
  it('prints one JSON object per line, with the facts of each node', async () => {
    const run = await sf(['build', '--log-format', 'json', '--vars', '{"break": true}']);
    expect(run.code).toBe(1);
    const events = run.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of events) expect(Object.keys(e).slice(0, 3)).toEqual(['ts', 'level', 'msg']);
    expect(events[0]!['msg']).toMatch(/^sf \d+\.\d+\.\d+: project /);
    const finished = events.filter((e) => e['event'] === 'node_finish');
    expect(finished.map((e) => [e['node'], e['status'], e['level']]).sort()).toEqual([
      ['broken', 'error', 'error'], ['later', 'success', 'info'], ['ok', 'success', 'info'],
    ]);
    expect(finished.find((e) => e['node'] === 'ok')).toMatchObject({ kind: 'table', relation: 'main.ok', rows: 1 });
    expect(events.at(-1)!['msg']).toBe('Done. PASS=2 ERROR=1 SKIP=0 TOTAL=3');
    expect(run.out).not.toContain(ESC);
  });

  it('project errors too, on stderr', async () => {
    const run = await sf(['ls', '--log-format', 'json', '--select', 'nothing_like_this']);
    expect(run.code).toBe(2);
    const [first] = run.err.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 'error' });
    expect(String(first!['msg'])).toContain("error: selector 'nothing_like_this' matches no model or seed");
  });
});

describe('target/sf.log', () => {
  it("holds the last command's whole account, with timestamps and no colour, even with --quiet", async () => {
    await sf(['build', '--quiet'], { tty: true });
    const log = readFileSync(join(p.dir, 'target/sf.log'), 'utf8');
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[info\] sf \d+\.\d+\.\d+: project /);
    expect(log).toMatch(/Z \[info\] \d of 3 OK table main\.ok \.+ \[OK 1 rows in/);
    expect(log).toContain('[info] Done. PASS=3 ERROR=0 SKIP=0 TOTAL=3');
    expect(log).not.toContain(ESC);
    await sf(['ls']);
    const again = readFileSync(join(p.dir, 'target/sf.log'), 'utf8');
    expect(again).not.toContain('Done.');
    expect(again).toMatch(/\[info\] table\s+ok\s+main\.ok/);
  });
});
