// dbt packages as a dbt project has them: what packages.yml (or dependencies.yml) asks for, and
// what is installed: each project under dbt_packages/ (where `dbt deps` puts them; the
// dbt_project.yml key packages-install-path moves it) and each `local:` entry. sf works offline
// and does not download packages. A package lends the project its macros, under its name
// (`dbt_utils.star(...)`), and its generic tests; its models are not built.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../util/errors.js';
import { listFiles, toPosix } from '../util/fs.js';

export interface PackageRequest {
  /** How packages.yml names it: `dbt-labs/dbt_utils [>=1.0.0, <2.0.0]`, `git: <url> @ <revision>`, `local: <path>`. */
  readonly spec: string;
  /** Where it would be installed (dbt_packages/<name>), or the local path. */
  readonly path: string;
  readonly installed: boolean;
}

/** An installed package: where its macros and generic tests are, relative to the project. */
export interface DbtPackage {
  readonly name: string;
  readonly dir: string;
  readonly macroPaths: readonly string[];
  readonly testPaths: readonly string[];
}

const DEFAULT_INSTALL_PATH = 'dbt_packages';

export function packageRequests(projectDir: string, installPath = DEFAULT_INSTALL_PATH): { file?: string; packages: PackageRequest[] } {
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
      return { spec: `local: ${entry['local']}`, path: entry['local'], installed: existsSync(join(resolve(projectDir, entry['local']), 'dbt_project.yml')) };
    }
    const hub = typeof entry['package'] === 'string' ? entry['package'] : undefined;
    const git = typeof entry['git'] === 'string' ? entry['git'] : undefined;
    const versions = [entry['version'] ?? entry['revision']].flat().filter((v) => v !== undefined).map(String);
    // Installed under the package's project name: the last part of the hub name, or for a git
    // URL its repository's (dbt-audit-helper installs as audit_helper), as dbt_packages/ confirms.
    const last = (hub ?? git ?? '').replace(/\.git$/, '').split('/').pop() ?? '';
    const names = hub ? [last] : [...new Set([last, last.replace(/-/g, '_'), last.replace(/^dbt[-_]/, '').replace(/-/g, '_')])];
    const spec = hub ? `${hub}${versions.length ? ` [${versions.join(', ')}]` : ''}` : `git: ${git ?? '?'}${versions.length ? ` @ ${versions.join(', ')}` : ''}`;
    const found = names.map((n) => join(installPath, n)).find((p) => existsSync(join(projectDir, p, 'dbt_project.yml')));
    return { spec, path: found ?? join(installPath, names[0]!), installed: found !== undefined };
  });
  return { file, packages };
}

/**
 * The packages installed for the project: dbt_packages/<each>, then packages.yml's `local:`
 * paths. `warnings` gets what is asked for and missing, and packages whose models are skipped.
 */
export function installedPackages(projectDir: string, rootName: string, installPath: string | undefined, warnings: string[]): DbtPackage[] {
  const install = installPath ?? DEFAULT_INSTALL_PATH;
  const requests = packageRequests(projectDir, install);
  const dirs: string[] = [];
  try {
    for (const entry of readdirSync(join(projectDir, install), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && existsSync(join(projectDir, install, entry.name, 'dbt_project.yml'))) dirs.push(toPosix(join(install, entry.name)));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const r of requests.packages) {
    if (r.spec.startsWith('local:') && r.installed) dirs.push(toPosix(isAbsolute(r.path) ? relative(projectDir, r.path) : normalize(r.path)).replace(/\/$/, ''));
    else if (!r.installed) {
      warnings.push(`${requests.file}: ${r.spec} is not installed in ${r.spec.startsWith('local:') ? r.path : `${install}/`}: its macros and tests are unavailable (sf does not download packages; \`sf deps\` says more)`);
    }
  }
  const found = new Map<string, ReturnType<typeof readPackage>>();
  for (const dir of dirs) {
    const pkg = readPackage(projectDir, dir);
    if (pkg.name === rootName || found.has(pkg.name)) continue;
    found.set(pkg.name, pkg);
    const models = pkg.modelPaths.flatMap((p) => listFiles(projectDir, p, '.sql')).length;
    if (models) warnings.push(`${dir}: package '${pkg.name}' has ${models} model${models === 1 ? '' : 's'}; sf builds the root project's models only, so they are skipped (its macros and tests are loaded)`);
  }
  return [...found.values()].map(({ modelPaths: _models, ...pkg }) => pkg);
}

function readPackage(projectDir: string, dir: string): DbtPackage & { modelPaths: string[] } {
  const file = `${dir}/dbt_project.yml`;
  let doc: Record<string, unknown>;
  try {
    doc = (parse(readFileSync(join(projectDir, file), 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new UserError('CONFIG_INVALID', `the package's dbt_project.yml is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { location: { file } });
  }
  const name = doc['name'];
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UserError('CONFIG_INVALID', `the package at ${dir} has no usable name: (${JSON.stringify(name)})`, { location: { file }, hint: 'reinstall the package (dbt deps)' });
  }
  const paths = (key: string, fallback: string) => [doc[key] ?? fallback].flat().map((p) => `${dir}/${String(p).replace(/^\.\//, '').replace(/\/+$/, '')}`);
  return { name, dir, macroPaths: paths('macro-paths', 'macros'), testPaths: paths('test-paths', 'tests'), modelPaths: paths('model-paths', 'models') };
}
