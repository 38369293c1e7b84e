// profiles.yml, as dbt reads it: found through --profiles-dir, DBT_PROFILES_DIR, the project
// directory, then ~/.dbt/; one profile's outputs become sf targets, in the formats the dbt-duckdb,
// dbt-postgres and dbt-sqlite adapters document. Values may use `{{ env_var('X') }}` and
// `{{ var('x') }}` (--vars). A password never enters sf's config: it is handed to the adapter
// through a secret environment variable (masked in everything sf prints).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import nunjucks from 'nunjucks';
import '../compiler/sandbox.js';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { TargetConfig } from '../config/types.js';
import { formatZodIssues, targetSchema } from '../config/schema.js';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

export interface ProfileOptions {
  /** --profiles-dir */
  readonly profilesDir?: string | undefined;
  /** --profile: over dbt_project.yml's `profile:`. */
  readonly profile?: string | undefined;
  readonly vars: Readonly<Record<string, unknown>>;
  /** Where env_var() reads; a password is added to it under a secret name. */
  readonly env: NodeJS.ProcessEnv;
}

export interface ResolvedProfile {
  readonly file: string;
  readonly name: string;
  readonly targets: Record<string, TargetConfig>;
  /** The profile's `target:` (dbt's default output). */
  readonly defaultTarget: string;
}

/** The profiles.yml dbt would read for a project in `projectDir`, or the places it looked. */
export function findProfilesFile(projectDir: string, options: Pick<ProfileOptions, 'profilesDir' | 'env'>): { file?: string; looked: string[] } {
  const dirs = [
    ...(options.profilesDir ? [resolve(options.profilesDir)] : []),
    ...(options.env['DBT_PROFILES_DIR'] ? [resolve(options.env['DBT_PROFILES_DIR'])] : []),
    projectDir,
    join(options.env['HOME'] ?? homedir(), '.dbt'),
  ];
  // A directory named explicitly is the only place looked, as in dbt.
  const candidates = options.profilesDir ? dirs.slice(0, 1) : dirs;
  for (const dir of candidates) {
    const file = join(dir, 'profiles.yml');
    if (existsSync(file)) return { file, looked: candidates };
  }
  return { looked: candidates };
}

export function loadProfile(projectDir: string, profileName: string | undefined, options: ProfileOptions): ResolvedProfile {
  const { file, looked } = findProfilesFile(projectDir, options);
  const name = options.profile ?? profileName;
  if (!file) {
    throw new UserError('CONFIG_NOT_FOUND', `no profiles.yml for this dbt project (looked in ${looked.join(', ')})`, {
      location: { file: 'dbt_project.yml' },
      hint: `write a profiles.yml with a '${name ?? '<profile>'}' profile in the project directory or ~/.dbt/, or pass --profiles-dir <dir>`,
    });
  }
  const shown = relative(projectDir, file).startsWith('..') ? file : relative(projectDir, file);
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: false, merge: true });
  const at = (node: Node | null | undefined) => ({ file: shown, line: node?.range ? lines.linePos(node.range[0]).line : undefined });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new UserError('CONFIG_INVALID', `YAML syntax error: ${e.message.split('\n')[0]}`, {
      location: { file: shown, line: lines.linePos(e.pos[0]).line }, hint: 'check the indentation and the quoting around this line',
    });
  }
  if (!isMap(doc.contents)) throw new UserError('CONFIG_INVALID', 'profiles.yml should map profile names to their targets and outputs', { location: { file: shown } });
  const profiles = doc.contents.items.map((p) => String(isScalar(p.key) ? p.key.value : '')).filter((k) => k !== 'config');
  if (!name) {
    throw new UserError('CONFIG_INVALID', 'dbt_project.yml names no profile', {
      location: { file: 'dbt_project.yml' }, hint: `add profile: <name> (${shown} has ${profiles.join(', ') || 'none'}), or pass --profile`,
    });
  }
  const profileNode = doc.contents.get(name, true) as Node | undefined;
  if (!isMap(profileNode)) {
    throw new UserError('CONFIG_INVALID', `profile '${name}' is not in ${shown}`, {
      location: { file: shown }, hint: didYouMean(name, profiles) ?? `profiles there: ${profiles.join(', ') || 'none'}`,
    });
  }
  renderProfileValues(profileNode, options, (message, node) => { throw new UserError('CONFIG_INVALID', message, { location: at(node) }); });
  const outputsNode = profileNode.get('outputs', true) as Node | undefined;
  if (!isMap(outputsNode) || outputsNode.items.length === 0) {
    throw new UserError('CONFIG_INVALID', `profile '${name}' has no outputs`, { location: at(profileNode), hint: 'add outputs: { dev: { type: duckdb, path: dev.duckdb } }' });
  }
  const targets: Record<string, TargetConfig> = {};
  for (const pair of outputsNode.items) {
    const output = String(isScalar(pair.key) ? pair.key.value : '');
    if (!isMap(pair.value)) throw new UserError('CONFIG_INVALID', `output '${output}' of profile '${name}' should be a mapping`, { location: at(pair.key as Node) });
    const target = targetFromOutput(pair.value.toJS(doc) as Record<string, unknown>, `${name}.${output}`, options.env, at(pair.key as Node));
    const checked = targetSchema.safeParse(target);
    if (!checked.success) {
      throw new UserError('CONFIG_INVALID', `output ${name}.${output}: ${formatZodIssues(checked.error).join('; ')}`, { location: at(pair.key as Node) });
    }
    targets[output] = target;
  }
  const rawDefault = profileNode.get('target');
  const defaultTarget = rawDefault === undefined || rawDefault === null ? 'default' : String(rawDefault);
  return { file, name, targets, defaultTarget };
}

/** Renders `{{ env_var('X') }}` and `{{ var('x') }}` in a profile's values, in place. */
function renderProfileValues(node: Node, options: ProfileOptions, fail: (message: string, node: Node) => never): void {
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
  env.addGlobal('env_var', (name: string, ...fallback: unknown[]) => {
    const value = options.env[name];
    if (value !== undefined) return value;
    if (fallback.length) return fallback[0];
    throw new Error(`env_var('${name}') is not set and has no default; export ${name}=...`);
  });
  env.addGlobal('var', (name: string, ...fallback: unknown[]) => {
    if (name in options.vars) return options.vars[name];
    if (fallback.length) return fallback[0];
    throw new Error(`var('${name}') has no value: pass --vars or give a default`);
  });
  const visit = (n: unknown): void => {
    if (isMap(n)) for (const pair of n.items) visit(pair.value);
    else if (isSeq(n)) for (const item of n.items) visit(item);
    else if (isScalar(n) && typeof n.value === 'string' && /\{\{|\{%/.test(n.value)) {
      try {
        n.value = env.renderString(n.value, {});
      } catch (err) {
        // The template text only: it may name a variable, never a value.
        fail(`cannot render '${n.value}': ${String(err instanceof Error ? err.message : err).split('\n').pop()!.trim()}`, n);
      }
    }
  };
  visit(node);
}

type Output = Record<string, unknown>;

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
const int = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));

/** One output of the profile as an sf target. */
function targetFromOutput(o: Output, where: string, env: NodeJS.ProcessEnv, location: { file: string; line?: number | undefined }): TargetConfig {
  const type = str(o['type']);
  const common = o['threads'] !== undefined && o['threads'] !== null ? { threads: int(o['threads'])! } : {};
  switch (type) {
    case 'duckdb': {
      // dbt-duckdb: `path` (default in memory), `schema` (default main).
      const path = str(o['path']) ?? ':memory:';
      return { type: 'duckdb', path, ...(str(o['schema']) ? { schema: str(o['schema'])! } : {}), ...common };
    }
    case 'postgres': {
      const password = str(o['password'] ?? o['pass']);
      const passwordEnv = password === undefined ? undefined : secretVariable(env, where, password);
      const sslmode = str(o['sslmode']);
      return {
        type: 'postgres',
        ...(str(o['host']) ? { host: str(o['host'])! } : {}),
        ...(o['port'] !== undefined && o['port'] !== null ? { port: int(o['port'])! } : {}),
        ...(str(o['user']) ? { user: str(o['user'])! } : {}),
        ...(str(o['dbname'] ?? o['database']) ? { database: str(o['dbname'] ?? o['database'])! } : {}),
        ...(str(o['schema']) ? { schema: str(o['schema'])! } : {}),
        ...(sslmode && ['disable', 'require', 'verify-ca', 'verify-full'].includes(sslmode) ? { sslmode: sslmode as 'disable' } : {}),
        ...(passwordEnv ? { passwordEnv } : {}),
        ...common,
      };
    }
    case 'sqlite': {
      // dbt-sqlite: `schemas_and_paths` maps schema names to database files; sf keeps every
      // schema in the main schema's file (other schemas become name prefixes).
      const paths = (o['schemas_and_paths'] ?? {}) as Record<string, unknown>;
      const schema = str(o['schema']) ?? 'main';
      const file = str(paths[schema]) ?? str(paths['main']) ?? str(Object.values(paths)[0]);
      if (!file) {
        throw new UserError('CONFIG_INVALID', `sqlite output ${where} has no database file: schemas_and_paths names none for schema '${schema}'`, {
          location, hint: `add schemas_and_paths: { ${schema}: 'path/to/file.db' }`,
        });
      }
      return { type: 'sqlite', path: file, ...common };
    }
    default:
      throw new UserError('CONFIG_INVALID', `output ${where} has type '${type ?? '(none)'}': sf runs duckdb, postgres and sqlite outputs`, {
        location, hint: 'use a duckdb, postgres or sqlite output, or run this profile with dbt',
      });
  }
}

/** A new SF_SECRET_ variable holding `password` for the adapter: sf masks it wherever it could appear. */
function secretVariable(env: NodeJS.ProcessEnv, where: string, password: string): string {
  const name = `SF_SECRET_PROFILE_${where.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}_PASSWORD`;
  env[name] = password;
  return name;
}
