import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Files under `dir` (recursively) whose name ends with `ext`, as sorted posix paths relative to `root`. */
export function listFiles(root: string, dir: string, ext: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => e.endsWith(ext))
    .map((e) => toPosix(relative(root, join(root, dir, e))))
    .sort();
}

export function toPosix(path: string): string {
  return path.split(sep).join('/');
}

export function writeFileEnsuringDir(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
