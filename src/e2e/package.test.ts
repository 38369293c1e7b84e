// sf as a user installs it: `npm pack` of this checkout, `npm install <tarball>` in a fresh
// folder outside the repository, then `sf init`, `sf build` and a type check of the scaffolded
// config there. Slow (npm compiles better-sqlite3 where no prebuilt binary can be downloaded),
// so it is one file with one install.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; version: string };
let home: string;
let app: string;

interface Ran { code: number; out: string; err: string }
function run(cmd: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } }, (error, out, err) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
    });
  });
}
/** `npx --no-install sf ...`: the installed bin, never a download of some other package named sf. */
const sf = (args: string[], cwd = app) => run('npx', ['--no-install', 'sf', ...args], cwd);

let tarball: string;
let files: string[];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'sf-package-'));
  app = join(home, 'app');
  mkdirSync(app);
  // --ignore-scripts: dist/ is already built by the test command; prepack would rebuild it
  // under the feet of the other test files.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', home], repo);
  expect(pack.code, pack.err).toBe(0);
  const [info] = JSON.parse(pack.out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(home, info!.filename);
  files = info!.files.map((f) => f.path);
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app);
  expect(install.code, install.err).toBe(0);
}, 600_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe(`the ${manifest.name} package`, () => {
  it('ships the CLI, the compiled code and its types, and nothing else', () => {
    expect(files).toContain('bin/sf.cjs');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/cli/main.js');
    expect(files.filter((f) => f.startsWith('src/') || /\.test\.|__golden__|\.map$/.test(f) || f.startsWith('dist/testing/'))).toEqual([]);
    expect(files.filter((f) => !/^(bin\/|dist\/|assets\/docs\/|README\.md$|package\.json$)/.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('assets/')).sort()).toEqual(['assets/docs/app.js', 'assets/docs/index.html', 'assets/docs/style.css']);
  });

  it('sf init demo, sf build --project-dir demo, and tsc resolves the config import', async () => {
    const init = await sf(['init', 'demo']);
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain('created demo/sf.config.ts');
    expect(init.out).toContain('Next: npx sf build --project-dir demo');
    // The package resolves from demo/, so no install hint.
    expect(init.out).not.toContain('npm install');
    const config = readFileSync(join(app, 'demo/sf.config.ts'), 'utf8');
    expect(config).toContain(`import { defineConfig } from '${manifest.name}';`);
    expect(config).toContain("name: 'demo',");

    const build = await sf(['build', '--project-dir', 'demo']);
    expect(build.code, build.out + build.err).toBe(0);
    expect(build.out).toContain(`sf ${manifest.version}: project demo (demo/sf.config.ts), target dev (duckdb target/dev.duckdb)`);
    expect(build.out).toMatch(/Done\. PASS=3 ERROR=0 SKIP=0 TOTAL=3/);
    // The docs site's own files come from the installed package.
    const docs = await sf(['docs', 'generate', '--project-dir', 'demo']);
    expect(docs.code, docs.out + docs.err).toBe(0);
    expect(readFileSync(join(app, 'demo/target/docs/index.html'), 'utf8')).toContain('<script src="app.js"></script>');

    const typecheck = await run(process.execPath, [tsc, '--noEmit', '-p', 'demo'], app);
    expect(typecheck.code, typecheck.out).toBe(0);
    // ...and the check has teeth: a misspelled key fails it with the config's own line.
    const bad = config.replace("name: 'demo',", "nam: 'demo',");
    writeFileSync(join(app, 'demo/sf.config.ts'), bad);
    const typo = await run(process.execPath, [tsc, '--noEmit', '-p', 'demo'], app);
    writeFileSync(join(app, 'demo/sf.config.ts'), config);
    expect(typo.code).not.toBe(0);
    expect(typo.out).toMatch(/sf\.config\.ts\(4,3\): error TS2561: .*'nam'/);
  }, 180_000);

  it('sf init with no dir scaffolds the current empty folder, named after it; sf runs from a subfolder', async () => {
    const dir = join(app, 'web-shop');
    mkdirSync(dir);
    const init = await sf(['init'], dir);
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain('created sf.config.ts');
    expect(init.out).toContain('Next: npx sf build\n');
    expect(readFileSync(join(dir, 'sf.config.ts'), 'utf8')).toContain("name: 'web_shop',");

    const again = await sf(['init'], dir);
    expect(again.code).toBe(2);
    expect(again.err).toContain('error: the current directory is not empty (models, seeds, sf.config.ts, ...)');

    const ls = await sf(['ls'], join(dir, 'models/marts'));
    expect(ls.code, ls.err).toBe(0);
    expect(ls.out).toMatch(/table\s+people_by_country\s+main\.people_by_country\s+models\/marts\/people_by_country\.sql/);
  }, 120_000);
});
