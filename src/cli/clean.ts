// `sf clean`: remove what sf wrote under target/ (compiled SQL, artifacts, JUnit files, test
// reports), as dbt's clean does, but keep the embedded database files (and their WAL/journal
// files, and any folder holding a target's database) unless --all.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';

const DATABASE_FILE = /\.(duckdb|sqlite|sqlite3|db)(\.wal|-wal|-shm|-journal|\.sf-holder\.json)?$/;

export function cleanTarget(config: ResolvedConfig, all: boolean): { removed: string[]; kept: string[] } {
  const dir = join(config.projectDir, 'target');
  if (!existsSync(dir)) return { removed: [], kept: [] };
  // Folders under target/ that hold a configured database file.
  const databases = Object.values(config.targets).flatMap((t) => ('path' in t && t.path ? [resolve(config.projectDir, t.path)] : []));
  const holdsDatabase = (path: string) => databases.some((db) => db === path || db.startsWith(`${path}${sep}`));
  const removed: string[] = [];
  const kept: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const shown = relative(config.projectDir, path);
    if (!all && (DATABASE_FILE.test(entry) || holdsDatabase(path))) {
      kept.push(shown);
      continue;
    }
    rmSync(path, { recursive: true, force: true });
    removed.push(shown);
  }
  return { removed, kept };
}
