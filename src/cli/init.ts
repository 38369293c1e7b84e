// `sf init [dir]`: a minimal project that builds as it is: one seed, two models, a config.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { PACKAGE_NAME } from '../config/load.js';
import { UserError } from '../util/errors.js';
import { writeFileEnsuringDir } from '../util/fs.js';

const files = (name: string): Record<string, string> => ({
  'sf.config.ts': `import { defineConfig } from '${PACKAGE_NAME}';

export default defineConfig({
  name: '${name}',
  targets: {
    dev: { type: 'duckdb', path: 'target/dev.duckdb' },
  },
  models: {
    staging: { materialized: 'view' },
    marts: { materialized: 'table' },
  },
  seeds: { columnTypes: { people: { joined_on: 'date' } } },
});
`,
  'seeds/people.csv': `person_id,name,country,joined_on
1,Ada Lovelace,GB,2026-01-05
2,Grace Hopper,US,2026-01-09
3,Edsger Dijkstra,NL,2026-02-11
`,
  'models/staging/stg_people.sql': `-- one row per person, names trimmed
select person_id, trim(name) as name, upper(country) as country, joined_on
from {{ ref('people') }}
`,
  'models/marts/people_by_country.sql': `-- one row per country
select country, count(*) as people
from {{ ref('stg_people') }}
group by country
`,
  // Lets \`tsc --noEmit\` and editors check the config the way sf loads it (bundler-style resolution).
  'tsconfig.json': `${JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true }, include: ['*.config.ts'] }, null, 2)}\n`,
  '.gitignore': 'target/\n',
});

/** The project name a folder gives: lower case, runs of other characters as one `_`, never starting with a digit. */
export function projectNameFor(dir: string): string {
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!name) return 'my_project';
  return /^[0-9]/.test(name) ? `p_${name}` : name;
}

// What `git init` and `npm install sf-transform` leave in a folder, so `sf init` still counts it as empty.
const SETUP_FILES = new Set(['package.json', 'package-lock.json', 'node_modules', 'yarn.lock', 'pnpm-lock.yaml']);

/** Writes the scaffold into `dir` (new, or holding only dotfiles and npm's files); returns the files written. */
export function scaffoldProject(dir: string): string[] {
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new UserError('BAD_ARGUMENT', `${dir} is a file, not a folder`, { hint: 'name a new folder (sf init <dir>), or run sf init in an empty one' });
  }
  const present = existsSync(root) ? readdirSync(root).filter((f) => !f.startsWith('.') && !SETUP_FILES.has(f)) : [];
  if (present.length > 0) {
    throw new UserError('BAD_ARGUMENT', `${dir === '.' ? 'the current directory' : dir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', ...' : ''})`, {
      hint: 'run sf init in an empty directory or name a new one (`sf init <dir>`); sf init never overwrites files',
    });
  }
  const scaffold = files(projectNameFor(root));
  const toWrite = Object.keys(scaffold).filter((f) => !existsSync(join(root, f)));
  for (const path of toWrite) writeFileEnsuringDir(join(root, path), scaffold[path]!);
  return toWrite;
}

/** What to run next; says how to install the package when the config's import would not resolve there. */
export function nextSteps(dir: string | undefined): string {
  const shown = dir && /[^\w./-]/.test(dir) ? `'${dir.replace(/'/g, `'\\''`)}'` : dir;
  const lines = [`Next: npx sf build${dir ? ` --project-dir ${shown}` : ''}`];
  try {
    createRequire(join(resolve(dir ?? '.'), 'sf.config.ts')).resolve(PACKAGE_NAME);
  } catch {
    lines.push(`The config imports defineConfig from '${PACKAGE_NAME}': install it here first (npm install --save-dev ${PACKAGE_NAME}).`);
  }
  return lines.join('\n');
}
