// `sf deps`: what a dbt project's packages.yml (or dependencies.yml) asks for, and which of it is
// installed under dbt_packages/. sf works offline and does not download packages: `dbt deps`
// (or a copy) puts them there.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../util/errors.js';

export interface PackageRequest {
  /** How packages.yml names it: `dbt-labs/dbt_utils [>=1.0.0, <2.0.0]`, `git: <url> @ <revision>`, `local: <path>`. */
  readonly spec: string;
  /** Where it would be installed (dbt_packages/<name>), or the local path. */
  readonly path: string;
  readonly installed: boolean;
}

export function packageRequests(projectDir: string): { file?: string; packages: PackageRequest[] } {
  const file = ['packages.yml', 'dependencies.yml'].find((f) => existsSync(join(projectDir, f)));
  if (!file) return { packages: [] };
  let doc: unknown;
  try {
    doc = parse(readFileSync(join(projectDir, file), 'utf8'));
  } catch (err) {
    throw new UserError('PROPERTIES', `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { location: { file } });
  }
  const list = (doc as { packages?: unknown } | null)?.packages;
  if (list === undefined || list === null) return { file, packages: [] };
  if (!Array.isArray(list)) throw new UserError('PROPERTIES', `'packages:' in ${file} should be a list`, { location: { file } });
  const packages = list.map((entry: Record<string, unknown>): PackageRequest => {
    if (typeof entry['local'] === 'string') {
      return { spec: `local: ${entry['local']}`, path: entry['local'], installed: existsSync(join(projectDir, entry['local'], 'dbt_project.yml')) };
    }
    const hub = typeof entry['package'] === 'string' ? entry['package'] : undefined;
    const git = typeof entry['git'] === 'string' ? entry['git'] : undefined;
    const versions = [entry['version'] ?? entry['revision']].flat().filter((v) => v !== undefined).map(String);
    // Installed under the package's own name: the last part of the hub name or git URL, as a guess dbt_packages/ confirms.
    const name = (hub ?? git ?? '').replace(/\.git$/, '').split('/').pop() ?? '';
    const spec = hub ? `${hub}${versions.length ? ` [${versions.join(', ')}]` : ''}` : `git: ${git ?? '?'}${versions.length ? ` @ ${versions.join(', ')}` : ''}`;
    const path = join('dbt_packages', name);
    return { spec, path, installed: existsSync(join(projectDir, path, 'dbt_project.yml')) };
  });
  return { file, packages };
}
