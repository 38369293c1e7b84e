// `sf init <dir>`: a minimal project that builds as it is: one seed, two models, a config.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { writeFileEnsuringDir } from '../util/fs.js';

const FILES: Record<string, string> = {
  'sf.config.ts': `import { defineConfig } from 'sf';

export default defineConfig({
  name: 'my_project',
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
  '.gitignore': 'target/\n',
};

export function scaffoldProject(dir: string): string[] {
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0) {
    throw new UserError('BAD_ARGUMENT', `${dir} exists and is not empty`, {
      hint: 'pick a new directory name; sf init never overwrites files',
    });
  }
  for (const [path, content] of Object.entries(FILES)) writeFileEnsuringDir(join(root, path), content);
  return Object.keys(FILES);
}
