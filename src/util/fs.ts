import { mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** Files under `dir` (recursively) whose name ends with `ext` (or one of them), as sorted posix paths relative to `root`. */
export function listFiles(root: string, dir: string, ext: string | readonly string[]): string[] {
  const exts = typeof ext === 'string' ? [ext] : ext;
  const found: string[] = [];
  const seen = new Set<string>();
  // By directory entries, not readdirSync's `recursive`: Node 20 stats every entry of that to
  // tell directories (10,000 models: ~200 ms against ~40 ms). Symbolic links to directories are
  // followed as it followed them, each real directory once (a link cycle ends).
  const walk = (rel: string, abs: string): void => {
    const real = realpathSync(abs);
    if (seen.has(real)) return;
    seen.add(real);
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const path = join(abs, e.name);
      if (e.isDirectory() || (e.isSymbolicLink() && isDirectory(path))) walk(`${rel}/${e.name}`, path);
      else if (exts.some((x) => e.name.endsWith(x))) found.push(`${rel}/${e.name}`);
    }
  };
  try {
    walk(toPosix(dir).replace(/\/$/, ''), join(root, dir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && seen.size === 0) return [];
    throw err;
  }
  return found.sort();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a dangling link
  }
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

export function writeFileEnsuringDir(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
