// The lines a run starts with, as dbt's: what sf is about to work on (version, project and
// its config, target, engine and where it writes, threads), then what the project holds.
import { relative } from 'node:path';
import { pgSettings } from '../adapters/postgres/connection.js';
import { SF_VERSION } from '../artifacts/write.js';
import type { LoadedProject } from '../session/project.js';
import type { Output } from './output.js';

export function printHeader(p: Pick<Output, 'info'>, project: LoadedProject, threads: number | undefined, env: NodeJS.ProcessEnv = process.env): void {
  const { config, target, targetName, manifest } = project;
  // As the adapter will connect (its defaults from PG* variables, or the URL), never a password.
  const pg = target.type === 'postgres' ? pgSettings(target, project.dialect.defaultSchema, env).shown : undefined;
  const where = pg ? `${pg['host']}:${pg['port']}/${pg['database']}` : 'path' in target ? target.path : '';
  const configFile = relative(process.cwd(), config.configPath) || config.configPath;
  // As many as will run: the engine caps them (SQLite writes one statement at a time).
  const asked = threads ?? target.threads;
  const threadCount = asked === undefined ? undefined : Math.min(asked, project.dialect.capabilities.maxConcurrency);
  // The database path may hold a secret (a path built from one): Output masks it, as all lines.
  p.info(`sf ${SF_VERSION}: project ${config.name} (${configFile}), target ${targetName} (${target.type} ${where})${threadCount ? `, ${threadCount} thread${threadCount === 1 ? '' : 's'}${asked! > threadCount ? ` (${target.type} runs ${threadCount === 1 ? 'one' : threadCount} at a time)` : ''}` : ''}`);
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  const tests = manifest.genericTests.filter((t) => t.config.enabled).length + project.compiled.tests.length;
  const sources = Object.values(config.sources).reduce((sum, s) => sum + s.tables.length, 0);
  p.info(`Found ${n(project.compiled.models.length, 'model')}, ${n(manifest.seeds.length, 'seed')}, ${n(tests, 'data test')}, ${n(sources, 'source')}`);
  p.info();
}
