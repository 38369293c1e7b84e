import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** Files under `dir` (recursively) whose name ends with `ext` (or one of them), as sorted posix paths relative to `root`. */
export function listFiles(root: string, dir: string, ext: string | readonly string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const exts = typeof ext === 'string' ? [ext] : ext;
  const prefix = toPosix(dir).replace(/\/$/, '');
  return entries
    .filter((e) => exts.some((x) => e.endsWith(x)))
    .map((e) => `${prefix}/${toPosix(e)}`)
    .sort();
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

export function writeFileEnsuringDir(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
