// Where a PostgreSQL target connects, and how it fails. Pure: reads the target and an
// environment, returns pg settings and what may be shown of them. Secrets (the password, a
// URL with a password) stay inside `PgSettings.pool` and are never part of a message.
import { userInfo } from 'node:os';
import type pg from 'pg';
import type { PostgresTarget } from '../../config/types.js';
import { UserError } from '../../util/errors.js';

export const DEFAULT_POOL_SIZE = 4;
export const CONNECT_TIMEOUT_MS = 10_000;

export interface PgSettings {
  /** For pg.Pool: may hold the password. */
  readonly pool: pg.PoolConfig;
  /** For display: host, port, user, database, schema, sslmode, password (`***` or `not set`). */
  readonly shown: Readonly<Record<string, string>>;
  /** Where the password or URL comes from, for hints. */
  readonly secretSource: string;
  /** Secret values to scrub from any message (the password, the URL). */
  readonly secrets: readonly string[];
}

/**
 * Server settings for sf's sessions: a URL's `options`, then PGOPTIONS (as libpq passes it:
 * `-c work_mem=256MB`), then UTC, last so that it wins: every session reads and writes
 * timestamps in UTC.
 */
function sessionOptions(env: NodeJS.ProcessEnv, fromUrl?: string | null): string {
  return [fromUrl, env['PGOPTIONS'], '-c TimeZone=UTC'].filter(Boolean).join(' ');
}

export function pgSettings(target: PostgresTarget, schema: string, env: NodeJS.ProcessEnv): PgSettings {
  const common: pg.PoolConfig = {
    max: target.threads ?? DEFAULT_POOL_SIZE,
    options: sessionOptions(env),
    application_name: 'sf',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(target.sslmode ? { ssl: sslOption(target.sslmode) } : {}),
  };
  if (target.urlEnv) {
    const url = env[target.urlEnv];
    if (!url) {
      throw new UserError('CONNECTION', `environment variable ${target.urlEnv} is not set (targets: urlEnv names it)`, {
        hint: `export ${target.urlEnv}=postgres://user:password@host:5432/database`,
      });
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol)) {
      throw new UserError('CONNECTION', `environment variable ${target.urlEnv} does not hold a postgres:// URL`, {
        hint: `export ${target.urlEnv}=postgres://user:password@host:5432/database (percent-encode special characters in the password)`,
      });
    }
    const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
    // pg lets a URL's own `options` replace the session options: they join them instead, before UTC.
    const urlOptions = parsed.searchParams.get('options');
    parsed.searchParams.delete('options');
    const connectionString = urlOptions === null ? url : parsed.toString();
    return {
      pool: { ...common, options: sessionOptions(env, urlOptions), connectionString },
      shown: {
        host: parsed.hostname || env['PGHOST'] || 'localhost',
        port: parsed.port || env['PGPORT'] || '5432',
        user: decodeURIComponent(parsed.username) || env['PGUSER'] || osUser(env),
        database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || env['PGDATABASE'] || decodeURIComponent(parsed.username) || osUser(env),
        schema,
        sslmode: target.sslmode ?? parsed.searchParams.get('sslmode') ?? env['PGSSLMODE'] ?? 'default (no TLS)',
        password: password ? `*** (in ${target.urlEnv})` : env['PGPASSWORD'] ? '*** (from PGPASSWORD)' : 'not set',
        url: `$${target.urlEnv}`,
      },
      secretSource: target.urlEnv,
      secrets: [url, connectionString, ...(password ? [password, parsed.password] : [])].filter((s) => s.length > 0),
    };
  }
  const host = target.host ?? env['PGHOST'] ?? 'localhost';
  const port = target.port ?? (env['PGPORT'] ? Number(env['PGPORT']) : 5432);
  const user = target.user ?? env['PGUSER'] ?? osUser(env);
  const database = target.database ?? env['PGDATABASE'] ?? user;
  const named = target.passwordEnv ? env[target.passwordEnv] : undefined;
  const sfPassword = env['SF_PG_PASSWORD'];
  const password = named || sfPassword || env['PGPASSWORD'] || undefined;
  const source = named ? target.passwordEnv! : sfPassword ? 'SF_PG_PASSWORD' : env['PGPASSWORD'] ? 'PGPASSWORD' : 'SF_PG_PASSWORD';
  return {
    pool: { ...common, host, port, user, database, ...(password ? { password } : {}) },
    shown: {
      host,
      port: String(port),
      user,
      database,
      schema,
      sslmode: target.sslmode ?? env['PGSSLMODE'] ?? 'default (no TLS)',
      password: password ? `*** (from ${source})` : 'not set',
    },
    secretSource: source,
    secrets: password ? [password] : [],
  };
}

function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return env['USER'] ?? userInfo().username;
  } catch {
    return 'postgres';
  }
}

function sslOption(mode: NonNullable<PostgresTarget['sslmode']>): pg.PoolConfig['ssl'] {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // Node checks the chain; the host name check is what verify-full adds.
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

/** Remove every secret from a message. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1***@');
}

/**
 * Opening a session, a setting PGOPTIONS (or the URL's options=) gave that the server refuses:
 * an unknown name (42704) or a bad value (22023). Only at connect: mid-run these codes are the
 * model's SQL's own errors.
 */
export function sessionSettingError(err: unknown, settings: PgSettings): UserError | undefined {
  const code = (err as { code?: string } | null)?.code;
  if (code !== '42704' && code !== '22023') return undefined;
  const message = scrub(String((err as { message?: string }).message ?? err), settings.secrets).split('\n')[0]!;
  const viaUrl = settings.pool.connectionString !== undefined;
  return new UserError('CONNECTION', `PostgreSQL at ${settings.shown['host']}:${settings.shown['port']} refused a session setting: ${message}`, {
    hint: `check PGOPTIONS${viaUrl ? ` and the options= of the URL in $${settings.secretSource}` : ''} (-c name=value ...)`, cause: err,
  });
}

/**
 * A failure to connect as a one-line UserError with what to do, or undefined when `err` is
 * not a connection failure.
 */
export function connectionError(err: unknown, settings: PgSettings): UserError | undefined {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: string; message?: string; errors?: unknown[] };
  // Node's AggregateError (localhost resolving to ::1 and 127.0.0.1) carries the code of its parts.
  const code = e.code ?? (e.errors?.[0] as { code?: string } | undefined)?.code ?? '';
  const message = scrub(String(e.message || code || err), settings.secrets).split('\n')[0]!;
  const { host, port, user, database } = settings.shown as Record<string, string>;
  const where = `${host}:${port}`;
  const viaUrl = settings.pool.connectionString !== undefined;
  const fields = viaUrl ? `the URL in $${settings.secretSource}` : 'targets.<name>.host/port (or PGHOST/PGPORT)';
  const fail = (text: string, hint: string) => new UserError('CONNECTION', text, { hint, cause: err });
  switch (code) {
    case '28P01':
      return fail(`PostgreSQL at ${where} rejected the password for user "${user}"`,
        viaUrl
          ? `check the password in $${settings.secretSource}`
          : settings.secrets.length
            ? `check ${settings.secretSource}: it holds a password that does not match user "${user}"`
            : `set SF_PG_PASSWORD (or PGPASSWORD) to the password of user "${user}"`);
    case '28000':
      return fail(`PostgreSQL at ${where} refused user "${user}": ${message}`,
        `check the user name (targets.<name>.user or PGUSER) and the server's pg_hba.conf`);
    case '3D000':
      return fail(`database "${database}" does not exist on ${where}`,
        `create it (createdb -h ${host} -p ${port} -U ${user} ${database}) or set ${viaUrl ? `the database in $${settings.secretSource}` : 'targets.<name>.database (or PGDATABASE)'}`);
    case '57P03':
      return fail(`PostgreSQL at ${where} is not accepting connections yet: ${message}`, 'wait for the server to finish starting, then try again');
    case '53300':
      return fail(`PostgreSQL at ${where} has no free connections: ${message}`, 'lower --threads / targets.<name>.threads, or raise max_connections');
    case 'ECONNREFUSED':
      return fail(`cannot connect to PostgreSQL at ${where}: connection refused`,
        `is the server running on ${where}? Otherwise set ${fields}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`cannot connect to PostgreSQL: host "${host}" not found`, `check ${fields}`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`cannot connect to PostgreSQL at ${where}: ${code}`, `is the server running on ${where}, and reachable from here? Otherwise set ${fields}`);
    case 'ECONNRESET':
      return fail(`PostgreSQL at ${where} closed the connection: ${message}`, 'check the server log; with TLS required by the server, set sslmode');
  }
  if (/timeout expired|timeout exceeded when trying to connect|connection timeout/i.test(message)) {
    return fail(`cannot connect to PostgreSQL at ${where}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
      `is the server running on ${where}, and reachable from here? Otherwise set ${fields}`);
  }
  if (/does not support SSL/i.test(message)) {
    return fail(`PostgreSQL at ${where}: ${message}`, `set sslmode: 'disable' on the target (or unset PGSSLMODE)`);
  }
  if (/SASL|SCRAM|password must be a string|client password/i.test(message)) {
    return fail(`PostgreSQL at ${where} asks for a password for user "${user}": ${message}`,
      `set SF_PG_PASSWORD (or PGPASSWORD)${viaUrl ? `, or put the password in $${settings.secretSource}` : ''}`);
  }
  return undefined;
}
