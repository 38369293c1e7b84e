import { existsSync, mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** Files under `dir` (recursively) whose name ends with `ext` (or one of them), as sorted posix paths relative to `root`. */
export function listFiles(root: string, dir: string, ext: string | readonly string[]): string[] {
  const exts = typeof ext === 'string' ? [ext] : ext;
  const found: string[] = [];
  // By directory entries, not readdirSync's `recursive`: Node 20 stats every entry of that to
  // tell directories (10,000 models: ~200 ms against ~40 ms). Symbolic links to directories are
  // followed as it followed them (a folder reached by two paths is listed under both); a link
  // back to a folder being walked is not, so a cycle ends.
  const walk = (rel: string, abs: string, above: ReadonlySet<string>): void => {
    const real = realpathSync(abs);
    if (above.has(real)) return;
    const path = new Set(above).add(real);
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const child = join(abs, e.name);
      if (e.isDirectory() || (e.isSymbolicLink() && isDirectory(child))) walk(`${rel}/${e.name}`, child, path);
      else if (exts.some((x) => e.name.endsWith(x))) found.push(`${rel}/${e.name}`);
    }
  };
  try {
    walk(toPosix(dir).replace(/\/$/, ''), join(root, dir), new Set());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && found.length === 0 && !existsSync(join(root, dir))) return [];
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
