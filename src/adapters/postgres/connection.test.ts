// Where a PostgreSQL target connects, and what a failure to connect says: one line with a
// hint, and never the password. A wrong password is played by a tiny fake server (the test
// cluster trusts every connection), which also proves the password was sent.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDebug } from '../../cli/debug.js';
import { configSchema } from '../../config/schema.js';
import type { PostgresTarget } from '../../config/types.js';
import { loadProject } from '../../session/project.js';
import { freePort } from '../../testing/postgres-server.js';
import { tempProject } from '../../testing/project.js';
import { UserError } from '../../util/errors.js';
import { openAdapter } from '../registry.js';
import { connectionError, pgSettings } from './connection.js';

const PASSWORD = 'Tr0ub4dor&3-not-shown';
const URL_PASSWORD = 'url-s3cret:with@odd/chars';

/** Accepts a startup message, asks for a cleartext password, records it, answers 28P01. */
class WrongPasswordServer {
  readonly received: string[] = [];
  #server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.#server = createServer((socket) => this.#talk(socket));
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as { port: number }).port;
  }

  #talk(socket: Socket): void {
    let buffer = Buffer.alloc(0);
    let startup = true;
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        const offset = startup ? 0 : 1;
        if (buffer.length < offset + 4) return;
        const length = buffer.readInt32BE(offset);
        if (buffer.length < offset + length) return;
        const message = buffer.subarray(0, offset + length);
        buffer = buffer.subarray(offset + length);
        if (startup) {
          startup = false;
          socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
        } else if (message[0] === 0x70) { // PasswordMessage
          this.received.push(message.subarray(5, message.length - 1).toString('utf8'));
          const fields = Buffer.concat([
            field('S', 'FATAL'), field('V', 'FATAL'), field('C', '28P01'),
            field('M', 'password authentication failed for user "alice"'), Buffer.from([0]),
          ]);
          const header = Buffer.alloc(5);
          header.write('E', 0);
          header.writeInt32BE(fields.length + 4, 1);
          socket.end(Buffer.concat([header, fields]));
        }
      }
    });
    socket.on('error', () => {});
  }

  async stop(): Promise<void> {
    this.#server?.close();
  }
}

function field(code: string, value: string): Buffer {
  return Buffer.concat([Buffer.from(code), Buffer.from(value, 'utf8'), Buffer.from([0])]);
}

async function failure(target: PostgresTarget, env: NodeJS.ProcessEnv): Promise<UserError> {
  const err = await openAdapter(target, '/nonexistent', env).then(
    () => { throw new Error('connected, but should not have'); },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('PostgreSQL connection settings', () => {
  it('takes host, port, user and database from the target, then PG* variables, then defaults', () => {
    const env = { PGHOST: 'db.internal', PGPORT: '6432', PGUSER: 'etl', PGDATABASE: 'warehouse', USER: 'me' };
    expect(pgSettings({ type: 'postgres' }, 'public', env).shown).toMatchObject({
      host: 'db.internal', port: '6432', user: 'etl', database: 'warehouse', password: 'not set',
    });
    expect(pgSettings({ type: 'postgres', host: 'h', port: 1, user: 'u', database: 'd' }, 's', env).pool).toMatchObject({
      host: 'h', port: 1, user: 'u', database: 'd', max: 4, options: '-c TimeZone=UTC',
    });
    expect(pgSettings({ type: 'postgres' }, 'public', { USER: 'me' }).shown).toMatchObject({
      host: 'localhost', port: '5432', user: 'me', database: 'me',
    });
    expect(pgSettings({ type: 'postgres', threads: 8 }, 'public', {}).pool.max).toBe(8);
  });

  it("passes PGOPTIONS and a URL's options on, with UTC last so that it wins", () => {
    const env = { PGOPTIONS: '-c work_mem=64MB -c TimeZone=Europe/Paris' };
    expect(pgSettings({ type: 'postgres' }, 'public', env).pool.options).toBe('-c work_mem=64MB -c TimeZone=Europe/Paris -c TimeZone=UTC');
    const url = 'postgres://u@h:5432/d?sslmode=disable&options=-c%20search_path%3Dx';
    const s = pgSettings({ type: 'postgres', urlEnv: 'DATABASE_URL' }, 'public', { ...env, DATABASE_URL: url });
    expect(s.pool.options).toBe('-c search_path=x -c work_mem=64MB -c TimeZone=Europe/Paris -c TimeZone=UTC');
    expect(s.pool.connectionString).toBe('postgres://u@h:5432/d?sslmode=disable');
  });

  it('reads the password from SF_PG_PASSWORD, else PGPASSWORD, and shows it only as ***', () => {
    const sf = pgSettings({ type: 'postgres' }, 'public', { SF_PG_PASSWORD: PASSWORD, PGPASSWORD: 'other' });
    expect(sf.pool.password).toBe(PASSWORD);
    expect(sf.shown['password']).toBe('*** (from SF_PG_PASSWORD)');
    expect(JSON.stringify(sf.shown)).not.toContain(PASSWORD);
    expect(pgSettings({ type: 'postgres' }, 'public', { PGPASSWORD: PASSWORD }).shown['password']).toBe('*** (from PGPASSWORD)');
  });

  it('takes a whole URL from the variable urlEnv names, and shows it without the password', () => {
    const url = `postgres://alice:${encodeURIComponent(URL_PASSWORD)}@db.example:6543/shop?sslmode=require`;
    const s = pgSettings({ type: 'postgres', urlEnv: 'DATABASE_URL' }, 'analytics', { DATABASE_URL: url });
    expect(s.pool.connectionString).toBe(url);
    expect(s.shown).toMatchObject({ host: 'db.example', port: '6543', user: 'alice', database: 'shop', sslmode: 'require', url: '$DATABASE_URL' });
    expect(JSON.stringify(s.shown)).not.toContain('s3cret');
    expect(() => pgSettings({ type: 'postgres', urlEnv: 'DATABASE_URL' }, 'public', {})).toThrow(/DATABASE_URL is not set/);
    expect(() => pgSettings({ type: 'postgres', urlEnv: 'DATABASE_URL' }, 'public', { DATABASE_URL: 'mysql://x' })).toThrow(/does not hold a postgres:\/\/ URL/);
  });

  it('validates the target: urlEnv must be a masked variable, and excludes host/port/user/database', () => {
    const parse = (target: unknown) => configSchema.safeParse({ name: 'x', targets: { pg: target } });
    expect(parse({ type: 'postgres', urlEnv: 'DATABASE_URL', schema: 's', sslmode: 'require' }).success).toBe(true);
    expect(parse({ type: 'postgres', urlEnv: 'SF_SECRET_PG_URL' }).success).toBe(true);
    expect(JSON.stringify(parse({ type: 'postgres', urlEnv: 'MY_URL' }).error?.issues)).toContain('SF_SECRET_');
    expect(JSON.stringify(parse({ type: 'postgres', urlEnv: 'DATABASE_URL', host: 'h' }).error?.issues)).toContain('not both');
    expect(parse({ type: 'postgres', password: 'x' }).success).toBe(false);
    expect(parse({ type: 'postgres', sslmode: 'prefer' }).success).toBe(false);
  });

  it('turns DNS and timeout failures into one line with a hint', () => {
    const s = pgSettings({ type: 'postgres', host: 'no-such-host.invalid', port: 5432, user: 'u', database: 'd' }, 'public', {});
    const dns = connectionError(Object.assign(new Error('getaddrinfo ENOTFOUND no-such-host.invalid'), { code: 'ENOTFOUND' }), s)!;
    expect(dns.message).toBe('cannot connect to PostgreSQL: host "no-such-host.invalid" not found');
    expect(dns.hint).toContain('PGHOST');
    const timeout = connectionError(new Error('Connection terminated due to connection timeout'), s)!;
    expect(timeout.message).toBe('cannot connect to PostgreSQL at no-such-host.invalid:5432: no answer within 10 s');
    expect(connectionError(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }), s)).toBeUndefined();
  });
});

describe('PostgreSQL connection failures', () => {
  const fake = new WrongPasswordServer();
  const url = new URL(inject('pgUrl'));
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  it('a wrong password: one line naming the user and SF_PG_PASSWORD, without the password', async () => {
    const err = await failure({ type: 'postgres', host: '127.0.0.1', port: fake.port, user: 'alice', database: 'shop' }, { SF_PG_PASSWORD: PASSWORD });
    expect(fake.received).toContain(PASSWORD);
    expect(err.code).toBe('CONNECTION');
    expect(err.message).toBe(`PostgreSQL at 127.0.0.1:${fake.port} rejected the password for user "alice"`);
    expect(err.hint).toBe('check SF_PG_PASSWORD: it holds a password that does not match user "alice"');
    expect(err.format()).not.toContain(PASSWORD);
    expect(err.format().split('\n')).toHaveLength(2);
  });

  it('a wrong password in a URL: the URL and its password stay out of the message', async () => {
    const dbUrl = `postgres://alice:${encodeURIComponent(URL_PASSWORD)}@127.0.0.1:${fake.port}/shop`;
    const err = await failure({ type: 'postgres', urlEnv: 'DATABASE_URL' }, { DATABASE_URL: dbUrl });
    expect(fake.received).toContain(URL_PASSWORD);
    expect(err.message).toContain('rejected the password for user "alice"');
    expect(err.hint).toBe('check the password in $DATABASE_URL');
    expect(err.format()).not.toMatch(/s3cret|url-s3cret/);
    expect(err.format()).not.toContain(dbUrl);
  });

  it('nothing listening: is the server running on host:port?', async () => {
    const port = await freePort();
    const err = await failure({ type: 'postgres', host: '127.0.0.1', port, user: 'alice', database: 'shop' }, { SF_PG_PASSWORD: PASSWORD });
    expect(err.message).toBe(`cannot connect to PostgreSQL at 127.0.0.1:${port}: connection refused`);
    expect(err.hint).toBe(`is the server running on 127.0.0.1:${port}? Otherwise set targets.<name>.host/port (or PGHOST/PGPORT)`);
    expect(err.format()).not.toContain(PASSWORD);
  });

  it('an unknown database: says which, and how to create it', async () => {
    const err = await failure({ type: 'postgres', host: url.hostname, port: Number(url.port), user: 'postgres', database: 'no_such_db_here' }, {});
    expect(err.message).toBe(`database "no_such_db_here" does not exist on ${url.hostname}:${url.port}`);
    expect(err.hint).toContain('createdb');
    expect(err.hint).toContain('PGDATABASE');
  });

  it('a session setting the server refuses (PGOPTIONS): says which, and where it came from', async () => {
    const target: PostgresTarget = { type: 'postgres', host: url.hostname, port: Number(url.port), user: 'postgres', database: url.pathname.slice(1) };
    const unknown = await failure(target, { PGOPTIONS: '-c no_such_setting=1' });
    expect(unknown.message).toBe(`PostgreSQL at ${url.hostname}:${url.port} refused a session setting: unrecognized configuration parameter "no_such_setting"`);
    expect(unknown.hint).toContain('PGOPTIONS');
    expect((await failure(target, { PGOPTIONS: '-c work_mem=lots' })).message).toMatch(/refused a session setting: invalid value for parameter "work_mem"/);
  });
});

describe('sf debug', () => {
  const url = new URL(inject('pgUrl'));

  async function debug(target: string): Promise<{ code: number; out: string[]; err: string[] }> {
    const p = tempProject({}, `import { defineConfig } from 'sf-transform';
export default defineConfig({ name: 'dbg', targets: { pg: ${target} } });
`);
    const out: string[] = [];
    const err: string[] = [];
    try {
      const project = await loadProject({ projectDir: p.dir, target: 'pg' });
      const code = await runDebug(project, { out: (l = '') => out.push(l), err: (l = '') => err.push(l) });
      return { code, out, err };
    } finally {
      p.cleanup();
    }
  }

  it('prints the engine and settings, writes and drops a scratch table, exits 0', async () => {
    const r = await debug(`{ type: 'postgres', host: '${url.hostname}', port: ${url.port}, user: 'postgres', database: '${url.pathname.slice(1)}', schema: 'sf_debug_check' }`);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('target: pg (postgres)');
    expect(r.out).toContainEqual(expect.stringMatching(/^engine: PostgreSQL 1\d/));
    expect(r.out).toContainEqual(expect.stringMatching(/^ {2}schema +sf_debug_check$/));
    expect(r.out).toContainEqual(expect.stringMatching(/^ {2}password +not set$/));
    expect(r.out).toContainEqual(expect.stringMatching(/^write check: created, filled, read and dropped "sf_debug_check"\."sf_debug_[0-9a-f]{8}" \(rolled back\)$/));
    expect(r.out.at(-1)).toBe('All checks passed.');
  });

  it('on a connection failure prints one actionable line and exits 2', async () => {
    const port = await freePort();
    const r = await debug(`{ type: 'postgres', host: '127.0.0.1', port: ${port}, user: 'alice', database: 'shop' }`);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      `error: cannot connect to PostgreSQL at 127.0.0.1:${port}: connection refused (is the server running on 127.0.0.1:${port}? Otherwise set targets.<name>.host/port (or PGHOST/PGPORT))`,
    ]);
  });
});
