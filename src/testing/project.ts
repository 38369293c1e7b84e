// Throwaway projects for tests: write files into a temp dir, run the CLI in-process, read
// results back from the DuckDB file.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli } from '../cli/main.js';
import { writeFileEnsuringDir } from '../util/fs.js';

export const DEFAULT_CONFIG = `import { defineConfig } from 'sf-transform';
export default defineConfig({
  name: 'demo',
  targets: { dev: { type: 'duckdb', path: 'target/test.duckdb' } },
  sources: { raw: { schema: 'raw', tables: ['things'] } },
  vars: { threshold: 2 },
});
`;

export interface TempProject {
  readonly dir: string;
  write(path: string, content: string): void;
  /** Runs `sf <args> --project-dir <dir>` in-process. */
  sf(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  query<T = Record<string, unknown>>(sql: string, dbPath?: string): Promise<T[]>;
  cleanup(): void;
}

export function tempProject(files: Record<string, string>, config = DEFAULT_CONFIG): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'sf-test-'));
  const write = (path: string, content: string) => writeFileEnsuringDir(join(dir, path), content);
  write('sf.config.ts', config);
  for (const [path, content] of Object.entries(files)) write(path, content);
  return {
    dir,
    write,
    async sf(...args) {
      const out: string[] = [];
      const err: string[] = [];
      const ownDir = args[0] === 'init' || args.includes('--project-dir');
      const code = await runCli(['node', 'sf', ...args, ...(ownDir ? [] : ['--project-dir', dir])], {
        out: (l = '') => out.push(l),
        err: (l = '') => err.push(l),
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    },
    async query<T>(sql: string, dbPath = 'target/test.duckdb') {
      return queryDuckDB<T>(join(dir, dbPath), sql);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Rows as JSON-ish values (decimals and bigints as strings), from a DuckDB file. */
export async function queryDuckDB<T = Record<string, unknown>>(path: string, sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(path);
  try {
    const conn = await instance.connect();
    const reader = await conn.runAndReadAll(sql);
    const rows = reader.getRowObjectsJson() as T[];
    conn.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}

/** The built CLI as a user starts it. */
export const SF_BIN = fileURLToPath(new URL('../../bin/sf.cjs', import.meta.url));

/** `sf <args>` in a child process (the built CLI), colour off unless `env` says otherwise. */
export function runSf(args: readonly string[], { cwd, env = {} }: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [SF_BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } },
      (error, out, err) => done({ code: error ? Number(error.code ?? 1) : 0, out, err }));
  });
}
