// Loaded with --require into every process the benchmark times (sf and the bare references):
// writes the process's peak resident memory (KB) to $SF_BENCH_RSS_FILE on exit.
'use strict';
const file = process.env.SF_BENCH_RSS_FILE;
if (file) process.on('exit', () => require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS)));
