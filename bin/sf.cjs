#!/usr/bin/env node
// The CLI entry: compiled by `npm install` (prepare -> tsc) into dist/.
// DuckDB runs each statement on a libuv worker thread: with Node's default 4, four long
// statements would hold every thread and stall the rest of the build (and --fail-fast's
// cancel). The pool is sized when first used, so this must run before any asynchronous file
// access: hence CommonJS, which Node loads synchronously (an ES module entry is read through
// the pool first). Room for the 8 statements DuckDB runs at once at most (its concurrency cap)
// and Node's own 4; each thread costs start-up time, so no more. A value the user set wins.
process.env.UV_THREADPOOL_SIZE ??= '12';
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('sf is not built yet: run `npm install` (or `npm run build:ts`) in the sf checkout first.');
  } else {
    console.error(err);
  }
  process.exit(2);
});
