#!/usr/bin/env node
// The CLI entry: compiled by `npm install` (prepare -> tsc) into dist/.
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('sf is not built yet: run `npm install` (or `npm run build:ts`) in the sf checkout first.');
  } else {
    console.error(err);
  }
  process.exit(2);
});
