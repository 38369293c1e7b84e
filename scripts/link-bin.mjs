// `npx sf` inside this repository (the example project): npm links the bins of dependencies
// into node_modules/.bin, never the project's own, so link ours there too. Run by `prepare`.
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, 'node_modules'))) {
  const bin = join(root, 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  rmSync(join(bin, 'sf'), { force: true });
  symlinkSync(join('..', '..', 'bin', 'sf.cjs'), join(bin, 'sf'));
}
