// `sf docs generate` writes the site to target/docs/ (and catalog.json to target/, as dbt does);
// `sf docs serve` serves target/docs/ over HTTP on 127.0.0.1 (another address only when asked).
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import { openAdapter } from '../adapters/registry.js';
import { targetDir } from '../artifacts/paths.js';
import { gatherDocs } from '../docs/data.js';
import { writeSite } from '../docs/site.js';
import type { LoadedProject } from '../session/project.js';
import { UserError } from '../util/errors.js';
import type { Printer } from './printer.js';

export function docsDir(projectDir: string): string {
  return join(targetDir(projectDir), 'docs');
}

export async function runDocsGenerate(project: LoadedProject, emptyCatalog: boolean, p: Printer): Promise<number> {
  const adapter = emptyCatalog ? undefined : await openAdapter(project.target, project.config.projectDir);
  let gathered;
  try {
    gathered = await gatherDocs(project, adapter, new Date());
  } finally {
    await adapter?.close();
  }
  const dir = docsDir(project.config.projectDir);
  writeSite(dir, gathered.data, gathered.catalog);
  copyFileSync(join(dir, 'catalog.json'), join(targetDir(project.config.projectDir), 'catalog.json'));
  const { nodes } = gathered.data;
  const unparsed = nodes.filter((n) => n.lineageError);
  const where = relative(process.cwd(), dir) || '.';
  p.out(`Wrote the docs site to ${where}/ (index.html) and catalog.json: ${nodes.length} nodes, ${gathered.catalog.size} with columns from the warehouse${emptyCatalog ? ' (--empty-catalog: none read)' : ''}.`);
  if (unparsed.length) p.out(`Column lineage not shown for ${unparsed.map((n) => `${n.name} (${n.lineageError})`).join('; ')}.`);
  const missing = nodes.filter((n) => n.kind === 'model' && !gathered.catalog.has(n.id) && n.materialized !== 'ephemeral');
  if (!emptyCatalog && missing.length) p.out(`Not in the warehouse yet (build them for their columns): ${missing.map((n) => n.name).join(', ')}.`);
  p.out(`Open ${where}/index.html, or run: sf docs serve`);
  return 0;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** Serves `dir` until SIGINT or SIGTERM; `onListening` gets the URL (tests read it from stdout). */
export async function runDocsServe(projectDir: string, host: string, port: number, p: Printer): Promise<number> {
  const dir = resolve(docsDir(projectDir));
  if (!existsSync(join(dir, 'index.html'))) {
    throw new UserError('BAD_ARGUMENT', `no docs site in ${relative(process.cwd(), dir) || dir}`, { hint: 'run sf docs generate first' });
  }
  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('bad request\n');
      return;
    }
    const file = resolve(dir, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    // Only files inside the site, and only to read.
    if ((file !== dir && !file.startsWith(dir + sep)) || (req.method !== 'GET' && req.method !== 'HEAD') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  await listen(server, host, port);
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  p.out(`Serving ${relative(process.cwd(), dir) || dir} at http://${shown}:${actual}/ (Ctrl-C to stop)`);
  if (!/^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(host)) p.err(`warning: listening on ${host}: other machines can read these docs`);
  await new Promise<void>((done) => {
    const stop = () => server.close(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((ok, fail) => {
    // Whatever the address or port cannot do is the user's to change, not a bug.
    server.once('error', (err: NodeJS.ErrnoException) => fail(new UserError('BAD_ARGUMENT', {
      EADDRINUSE: `port ${port} on ${host} is in use`,
      EACCES: `no permission to listen on port ${port} (ports below 1024 need privileges)`,
      EADDRNOTAVAIL: `${host} is not an address of this machine`,
      ENOTFOUND: `no host named ${host}`,
    }[err.code ?? ''] ?? `cannot listen on ${host}:${port}: ${err.message}`, { hint: 'choose another --port (0: any free port) or --host (default 127.0.0.1)' })));
    server.listen(port, host, () => ok());
  });
}
