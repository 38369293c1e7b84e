// `sf` commands. Maps outcomes to exit codes: 0 success; 1 a node failed; 2 the project or
// the command is invalid and nothing ran.
import { Command, CommanderError, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { isUserError, UserError, UserErrors } from '../util/errors.js';
import { consolePrinter, formatEvent, printSummary, printUserError, type Printer } from './printer.js';
import { Output } from './output.js';
import { colorWanted, paint, useColor } from './style.js';
import { SF_VERSION, type RunArgs } from '../artifacts/write.js';
import { join, resolve } from 'node:path';
import { isDateTime } from '../config/schema.js';
import { findConfigFile, findProjectDir } from '../config/load.js';
import { TARGET_DIR } from '../artifacts/paths.js';
import type { LoadedProject } from '../session/project.js';
import { normalizeDateTime } from '../compiler/incremental-settings.js';

export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;

interface GlobalOptions {
  color?: boolean;
  quiet?: boolean;
  logFormat: 'text' | 'json';
}

interface CommonOptions {
  /** Unset: the nearest folder up from here with a config. */
  projectDir?: string;
  config?: string;
  target?: string;
  vars?: string;
  profilesDir?: string;
  profile?: string;
  /** false with --no-partial-parse. */
  partialParse?: boolean;
  select?: string[];
  exclude?: string[];
  threads?: number;
}

interface RunOptions extends CommonOptions {
  junit?: string;
  warnError?: boolean;
  fullRefresh?: boolean;
  start?: string;
  end?: string;
  eventTimeStart?: string;
  eventTimeEnd?: string;
  missing?: boolean;
  lockTimeout?: number;
  failFast?: boolean;
}

/** Set by main(): the real CLI process handles Ctrl-C / SIGTERM (in-process callers do not). */
let ownsProcess = false;

export async function main(argv: readonly string[], printer: Printer = consolePrinter): Promise<void> {
  ownsProcess = true;
  process.exitCode = await runCli(argv, printer);
}

export async function runCli(argv: readonly string[], sink: Printer = consolePrinter): Promise<number> {
  let code: number = EXIT.ok;
  const p = new Output(sink);
  useColor(false);
  // Before parsing: a bad argument is reported in the format asked for too.
  const format = argv.find((a, i) => a.startsWith('--log-format=') || argv[i - 1] === '--log-format');
  if (format?.replace('--log-format=', '') === 'json') p.configure({ quiet: false, format: 'json' });
  const program = new Command('sf')
    .description('sf: SQL transformations that are idempotent by construction')
    .version(SF_VERSION)
    .option('--color', 'colour the output even when it is not a terminal')
    .option('--no-color', 'never colour the output (as NO_COLOR=1 does)')
    .option('-q, --quiet', 'print only errors, warnings and results (summaries, listings): no header, no line per node')
    .addOption(new Option('--log-format <format>', 'text, or json: one JSON object per line (ts, level, msg; event fields for nodes)').choices(['text', 'json']).default('text'))
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (s) => p.out(s.trimEnd()), writeErr: (s) => p.err(s.trimEnd()) });
  program.hook('preAction', (_, action) => {
    const g = action.optsWithGlobals<GlobalOptions & CommonOptions>();
    // Colour is decided per stream (stdout piped, stderr on the terminal, or the other way).
    const colorOut = g.logFormat === 'text' && colorWanted(g.color, process.env, sink.isTTY ?? false);
    const colorErr = g.logFormat === 'text' && colorWanted(g.color, process.env, sink.errIsTTY ?? false);
    p.configure({ quiet: g.quiet ?? false, format: g.logFormat, plainOut: !colorOut, plainErr: !colorErr });
    useColor(colorOut || colorErr);
    // The last command's log, once the project is known (not for clean, which empties target/).
    if (action.options.some((o) => o.long === '--project-dir') && action.name() !== 'clean') {
      try {
        const dir = resolve(projectDirOf(g));
        if (!g.config) findConfigFile(dir);
        p.logTo(join(dir, TARGET_DIR, 'sf.log'));
      } catch {
        // no project here: the command itself says so
      }
    }
  });

  const withCommon = (cmd: Command, { selection = true } = {}) => {
    cmd
      .option('--project-dir <dir>', 'the project directory (default: the nearest folder up from here holding a config)')
      .option('--config <file>', 'config file (default: sf.config.ts or the *.config.ts importing sf-transform)')
      .option('-t, --target <name>', 'target from the config (default: defaultTarget)')
      .option('--vars <yaml>', 'vars over the config\'s: a YAML or JSON mapping, e.g. \'{key: value}\'')
      .option('--profiles-dir <dir>', 'dbt projects: the folder holding profiles.yml (default: DBT_PROFILES_DIR, the project directory, ~/.dbt)')
      .option('--profile <name>', 'dbt projects: the profile to use, over dbt_project.yml\'s')
      .option('--no-partial-parse', 'render every template again, ignoring what target/partial_parse/ kept from the last compile');
    if (selection) {
      cmd
        .option('-s, --select <selector...>', 'nodes to include: name, +name, name+, tag:x, path:models/x')
        .option('--exclude <selector...>', 'nodes to leave out (same syntax)');
    }
    return cmd;
  };

  /** Loads the project and says what in it sf ignores (unknown keys in property files). */
  const open = async (load: typeof import('../session/project.js')['loadProject'], opts: CommonOptions & { fullRefresh?: boolean }, { seedErrors = false, listOnly = false, which = undefined as string | undefined } = {}) => {
    const project = await load({ ...projectOptions(opts), seedErrors, listOnly, fullRefresh: opts.fullRefresh, which });
    for (const w of [...project.config.warnings, ...project.manifest.warnings, ...project.compiled.warnings]) p.err(`${paint.warn('warning:')} ${w}`);
    return project;
  };

  const run = (command: 'seed' | 'run' | 'build', fixed: { missing?: boolean; retry?: ReadonlyMap<string, readonly string[]>; args?: RunArgs } = {}) => async (opts: RunOptions) => {
    const { loadProject } = await import('../session/project.js');
    const { runProject, DEFAULT_THREADS } = await import('../session/run.js');
    const range = rangeOption(opts);
    const project = await open(loadProject, opts, { seedErrors: command !== 'run', which: command });
    const { printHeader } = await import('./header.js');
    const { LiveProgress } = await import('./progress.js');
    const status = p.status;
    const live = status ? new LiveProgress({ out: (line) => p.info(line), err: (line) => p.err(line), status }) : undefined;
    const args: RunArgs = fixed.args ?? { command, select: opts.select, exclude: opts.exclude, target: opts.target, vars: parseVars(opts.vars), fullRefresh: opts.fullRefresh, threads: opts.threads, warnError: opts.warnError };
    const { accountForInterrupts } = await import('./interrupt.js');
    const interrupts = accountForInterrupts(ownsProcess, p, project, command, args);
    const outcome = await runProject(project, {
      command, select: opts.select, exclude: opts.exclude, threads: opts.threads,
      fullRefresh: opts.fullRefresh, range, missing: fixed.missing ?? opts.missing, lockTimeoutSeconds: opts.lockTimeout, retry: fixed.retry,
      warnError: opts.warnError, failFast: opts.failFast,
      // A retry keeps the first command line, so a second retry repeats it too.
      args,
      onPlan: interrupts.onPlan,
      stop: interrupts.stopping,
      onEvent: (event) => {
        interrupts.watch.onEvent(event);
        if (live) return live.onEvent(event);
        p.event(event, formatEvent(event));
      },
      onNotice: (message) => p.err(message),
      // Once the project is known to be valid (nothing printed for an invalid one).
      onValid: () => printHeader(p, project, opts.threads ?? project.target.threads ?? DEFAULT_THREADS),
    }).finally(() => { if (!interrupts.stopping()) interrupts.remove(); });
    // Interrupted: the signal handler gives the account and exits; print nothing more here.
    if (interrupts.stopping()) await new Promise(() => {});
    const { runOutcomes } = await import('./report.js');
    const outcomes = runOutcomes(project, outcome.results);
    if (opts.junit) {
      const { writeJunit } = await import('../artifacts/junit.js');
      writeJunit(resolve(opts.junit), `sf ${command}`, outcomes, outcome.elapsedSeconds);
    }
    if (outcome.results.length === 0) p.out('Nothing to do: the selection matched no node this command builds.');
    else printSummary(p, outcome.results, outcome.elapsedSeconds);
    const { reportToGithub } = await import('./github.js');
    reportToGithub(p, command, outcomes, project.config.projectDir);
    code = outcome.results.some((r) => r.status !== 'success') ? EXIT.failed : EXIT.ok;
  };

  const runOptions = (cmd: Command, { partitions = true } = {}) => {
    cmd.addOption(new Option('--threads <n>', 'units of work run in parallel (capped by the engine)').argParser(parsePositiveInt))
      .option('--junit <file>', 'also write the results as JUnit XML (a testcase per node and per data test)')
      .option('--warn-error', 'treat warnings (data tests, stale sources) as failures: exit 1')
      .option('--full-refresh', 'rebuild incremental models from scratch')
      .option('-x, --fail-fast', 'stop at the first failure: start nothing more, roll back what is running (reported as skipped)')
      .addOption(new Option('--lock-timeout <seconds>', 'how long to wait for another sf process writing the same target or model').argParser(parseSeconds));
    if (partitions) {
      cmd.option('--start <date>', 'build the partitions from this date (YYYY-MM-DD[ HH:MM:SS]), one batch each')
        .option('--end <date>', 'the last partition to build (included; default: --start)')
        .option('--event-time-start <date>', "dbt's spelling of --start")
        .option('--event-time-end <date>', "dbt's --end: the first partition NOT built (excluded)")
        .option('--missing', 'build the partitions missing between the first and last built (from the ledger)');
    }
    return cmd;
  };
  runOptions(withCommon(program.command('build').description('load seeds, then build models in dependency order'))).action(run('build'));
  runOptions(withCommon(program.command('run').description('build models (views, tables, incremental) in dependency order'))).action(run('run'));
  runOptions(withCommon(program.command('seed').description('load seeds/*.csv into the target')), { partitions: false }).action(run('seed'));
  runOptions(withCommon(program.command('backfill').description('fill the gaps of partitioned models: sf run --missing')), { partitions: false })
    .action(run('run', { missing: true }));

  program.command('retry').description('run again what failed or was skipped last time (failed partitions only)')
    .option('--project-dir <dir>', 'the project directory (default: the nearest folder up from here holding a config)')
    .option('--config <file>', 'config file (default: sf.config.ts or the *.config.ts importing sf-transform)')
    .option('-t, --target <name>', "target (default: the last run's)")
    .addOption(new Option('--threads <n>', 'units of work run in parallel (capped by the engine)').argParser(parsePositiveInt))
    .addOption(new Option('--lock-timeout <seconds>', 'how long to wait for another sf process writing the same model').argParser(parseSeconds))
    .action(async (opts: { projectDir?: string; config?: string; target?: string; threads?: number; lockTimeout?: number }) => {
      const { retryPlan } = await import('../session/retry.js');
      const plan = retryPlan(projectDirOf(opts));
      if (!plan) {
        p.out('Nothing to retry: every node of the last run succeeded.');
        return;
      }
      const { args } = plan;
      p.out(`Retrying ${args.command}: ${plan.select.join(', ')}${plan.partitions.size ? ` (partitions: ${[...plan.partitions].map(([m, ks]) => `${m} ${ks.join(', ')}`).join('; ')})` : ''}`);
      await run(args.command as 'build' | 'run' | 'seed', { retry: plan.partitions, args })({
        projectDir: projectDirOf(opts), config: opts.config, target: opts.target ?? args.target, vars: args.vars ? JSON.stringify(args.vars) : undefined,
        select: [...plan.select], fullRefresh: args.fullRefresh, threads: opts.threads ?? args.threads, lockTimeout: opts.lockTimeout, warnError: args.warnError,
      });
    });

  withCommon(program.command('test').description('run the selected data tests against what is built (read-only)'))
    .option('--warn-error', 'treat warnings as failures (exit 1)')
    .option('-x, --fail-fast', 'stop at the first failing test; the rest are reported as skipped')
    .option('--junit <file>', 'also write the results as JUnit XML (one testcase per test)')
    .action(async (opts: CommonOptions & { warnError?: boolean; junit?: string; failFast?: boolean }) => {
      const { loadProject } = await import('../session/project.js');
      const { runTests } = await import('../session/test.js');
      const { writeTestResults } = await import('../artifacts/write.js');
      const { formatTestResult, printTestSummary } = await import('./test-output.js');
      const project = await open(loadProject, opts);
      const { printHeader } = await import('./header.js');
      printHeader(p, project, undefined);
      const t0 = performance.now();
      const results = await runTests(project, { select: opts.select, exclude: opts.exclude, warnError: opts.warnError, failFast: opts.failFast, onResult: (e) => p.info(formatTestResult(e)) });
      const seconds = (performance.now() - t0) / 1000;
      writeTestResults(project, results, seconds, new Date());
      const { testOutcomes } = await import('./report.js');
      const outcomes = testOutcomes(project, results);
      if (opts.junit) {
        const { writeJunit } = await import('../artifacts/junit.js');
        writeJunit(resolve(opts.junit), 'sf test', outcomes, seconds);
      }
      if (results.length === 0) p.out('Nothing to do: no test is declared on the selected nodes.');
      else printTestSummary(p, results, seconds);
      const { reportToGithub } = await import('./github.js');
      reportToGithub(p, 'test', outcomes, project.config.projectDir);
      code = results.some((r) => r.status === 'fail' || r.status === 'error') ? EXIT.failed : EXIT.ok;
    });

  const source = program.command('source').description("commands on the project's sources");
  withCommon(source.command('freshness').description('how old each source table\'s newest row is, against its warn_after / error_after'))
    .option('--warn-error', 'a table past warn_after fails too (exit 1)')
    .action(async (opts: CommonOptions & { warnError?: boolean }) => {
      const { loadProject } = await import('../session/project.js');
      const { freshnessTargets, sourceFreshness } = await import('../session/freshness.js');
      const { writeSourcesJson } = await import('../artifacts/write.js');
      const { formatFreshness, printFreshnessSummary } = await import('./test-output.js');
      const project = await open(loadProject, opts);
      const keys = freshnessTargets(project, opts.select, opts.exclude);
      if (keys.length === 0) {
        p.out('Nothing to do: no source table declares loaded_at_field and freshness.');
        return;
      }
      const t0 = performance.now();
      const results = await sourceFreshness(project, keys, new Date(), opts.warnError ?? false, (r, i) => p.info(formatFreshness(r, i, keys.length)));
      writeSourcesJson(project, results, (performance.now() - t0) / 1000, new Date());
      printFreshnessSummary(p, results);
      const { freshnessOutcomes } = await import('./report.js');
      const { reportToGithub } = await import('./github.js');
      reportToGithub(p, 'source freshness', freshnessOutcomes(project, results), project.config.projectDir);
      code = results.some((r) => r.status === 'error' || r.status === 'runtime error') ? EXIT.failed : EXIT.ok;
    });

  program.command('clean').description('remove what sf wrote under target/ (compiled SQL, artifacts), keeping the database files unless --all')
    .option('--project-dir <dir>', 'the project directory (default: the nearest folder up from here holding a config)')
    .option('--config <file>', 'config file (default: sf.config.ts or the *.config.ts importing sf-transform)')
    .option('--all', 'also remove the embedded database files under target/')
    .action(async (opts: { projectDir?: string; config?: string; all?: boolean }) => {
      const { loadConfig } = await import('../config/load.js');
      const { cleanTarget } = await import('./clean.js');
      const { removed, kept } = cleanTarget(await loadConfig(projectDirOf(opts), opts.config), opts.all ?? false);
      p.out(removed.length ? `Removed ${removed.join(', ')}.` : 'Nothing to clean in target/.');
      if (kept.length) p.out(`Kept the database files ${kept.join(', ')} (--all removes them too).`);
    });

  program.command('deps').description('list what a dbt project\'s packages.yml asks for and which of it is installed in dbt_packages/ (sf does not download packages)')
    .option('--project-dir <dir>', 'the project directory (default: the nearest folder up from here holding a config)')
    .action(async (opts: { projectDir?: string }) => {
      const { packageRequests } = await import('../dbt/packages.js');
      const dir = resolve(projectDirOf(opts));
      const { file, packages } = packageRequests(dir);
      if (!file || packages.length === 0) {
        p.out(file ? `${file} asks for no packages.` : 'No packages.yml (or dependencies.yml) here: nothing to install.');
        return;
      }
      const width = Math.max(...packages.map((x) => x.spec.length));
      for (const x of packages) p.out(`  ${x.spec.padEnd(width)}  ${x.installed ? `installed (${x.path})` : `missing (${x.path})`}`);
      const missing = packages.filter((x) => !x.installed).length;
      p.out(`sf does not download packages (it runs offline): ${missing ? `run \`dbt deps\`, or copy the ${missing} missing one${missing === 1 ? '' : 's'} into dbt_packages/` : 'all are installed'}.`);
      p.out('Installed packages lend the project their macros (dbt_utils.star, ...) and generic tests; sf has built-in versions of the most used dbt_utils macros for when dbt_utils is missing.');
      if (missing) code = EXIT.failed;
    });

  withCommon(program.command('compile').description('render models to target/compiled/ (opens the database only for models that query it while rendering: run_query, dbt_utils.star, ...); with --select, print their SQL'))
    .addOption(new Option('--output <format>', 'text, or JSON: name, relation, compiled path and SQL of each model').choices(['text', 'json']).default('text'))
    .action(async (opts: CommonOptions & { output: 'text' | 'json' }) => {
      const { loadProject } = await import('../session/project.js');
      const { writeCompiled, writeManifest } = await import('../artifacts/write.js');
      const { selectNodes } = await import('../graph/selection/select.js');
      const project = await open(loadProject, opts);
      const byName = new Map(project.compiled.models.map((m) => [m.node.name, m]));
      const selected = [...selectNodes(project.graph, opts)].filter((n) => byName.has(n));
      const asking = selected.filter((n) => byName.get(n)!.asksWarehouse);
      if (asking.length) p.err(`Connecting to target '${project.targetName}': ${asking.length === 1 ? 'model' : 'models'} ${asking.join(', ')} ${asking.length === 1 ? 'queries' : 'query'} the warehouse while rendering.`);
      // Only then: a compile that asks nothing loads no database driver.
      const live = asking.length ? await (await import('../session/warehouse-answers.js')).renderAskingModels(project, asking) : new Map<string, string>();
      const paths = writeCompiled(project, live);
      writeManifest(project, paths, new Date());
      const models = selected.map((name) => ({ ...byName.get(name)!, sql: live.get(name) ?? byName.get(name)!.sql }));
      if (opts.output === 'json') {
        p.out(JSON.stringify(models.map((m) => ({
          name: m.node.name, relation: m.settings.materialized === 'ephemeral' ? null : project.dialect.displayRelation(m.relation),
          compiled_path: paths.get(m.node.name), sql: m.sql,
        })), null, 2));
      } else if (opts.select?.length) {
        // The SQL of each selected model; with several, each headed by its name and file.
        models.forEach((m, i) => {
          if (models.length > 1) p.out(`${i ? '\n' : ''}-- ${m.node.name} (${paths.get(m.node.name)})`);
          p.out(m.sql);
        });
      } else {
        for (const name of selected) p.out(paths.get(name)!);
        const reused = project.compiled.reused.size;
        p.out(`Compiled ${selected.length} model${selected.length === 1 ? '' : 's'} to target/compiled/${reused ? ` (${reused} unchanged, reused from target/partial_parse/)` : ''}.`);
      }
    });

  withCommon(program.command('show').description("preview rows: a model's compiled SQL (its inputs already built) or an inline query, run against the target"))
    .option('--inline <sql>', "a query to run instead of a model; ref(), source() and var() work as in models")
    .addOption(new Option('--limit <n>', 'rows to show per model; -1: all').default(5).argParser(parseLimit))
    .addOption(new Option('--output <format>', 'a table, or JSON: {node, show: [rows]} per model').choices(['text', 'json']).default('text'))
    .action(async (opts: CommonOptions & { inline?: string; limit: number; output: 'text' | 'json' }) => {
      const { loadProject } = await import('../session/project.js');
      const { showRows } = await import('../session/show.js');
      type Preview = import('../session/show.js').Preview;
      const { formatTable } = await import('./table.js');
      const project = await open(loadProject, opts);
      if (opts.inline !== undefined && opts.select?.length) throw new UserError('BAD_ARGUMENT', 'give --select or --inline, not both');
      const previews: Preview[] = [];
      const request = { select: opts.select, exclude: opts.exclude, inline: opts.inline, limit: opts.limit };
      // Text: each table as soon as its query answers; JSON: one document, of the ones that did.
      await showRows(project, request, (v) => {
        if (opts.output === 'json') return void previews.push(v);
        if (previews.push(v) > 1) p.out();
        const what = v.name === 'inline' ? 'the inline query' : `'${v.name}'`;
        p.out(`Previewing ${what} (${v.rows.length} row${v.rows.length === 1 ? '' : 's'}${opts.limit >= 0 && v.rows.length === opts.limit ? `, --limit ${opts.limit}` : ''}):`);
        for (const line of v.rows.length ? formatTable(v.columns, v.rows) : ['(no rows)']) p.out(line);
      }).finally(() => {
        if (opts.output !== 'json') return;
        p.out(JSON.stringify(previews.map((v) => ({ node: v.name, show: v.rows.map((r) => Object.fromEntries(v.columns.map((c, i) => [c, r[i]]))) })),
          (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2));
      });
    });

  withCommon(program.command('ls').description('list models and seeds (opens no database), or the partition ledger'))
    .addOption(new Option('--output <format>', 'plain lines or JSON').choices(['text', 'json']).default('text'))
    .option('--partitions [model]', "the partition ledger of the selected (or named) models: rows, checksum, status per partition")
    .action(async (opts: CommonOptions & { output: 'text' | 'json'; partitions?: string | boolean }) => {
      const { loadProject } = await import('../session/project.js');
      const { selectNodes } = await import('../graph/selection/select.js');
      // The listing needs settings and dependencies, not SQL: plain templates are not rendered.
      const project = await open(loadProject, opts, { listOnly: opts.partitions === undefined });
      if (opts.partitions !== undefined) {
        const { listPartitions } = await import('./partitions.js');
        const select = typeof opts.partitions === 'string' ? [...(opts.select ?? []), opts.partitions] : opts.select;
        await listPartitions(project, selectNodes(project.graph, { ...opts, select }), opts.output, p);
        return;
      }
      const selected = selectNodes(project.graph, opts);
      const rows = project.graph.nodes.filter((n) => selected.has(n.name)).map((n) => n.kind === 'seed'
        ? { kind: 'seed', name: n.name, materialized: 'seed', relation: project.dialect.displayRelation(n.seed.relation), path: n.seed.node.path }
        // An ephemeral model is inlined where it is used: it has no relation.
        : { kind: 'model', name: n.name, materialized: n.model.settings.materialized, relation: n.model.settings.materialized === 'ephemeral' ? null : project.dialect.displayRelation(n.model.relation), path: n.model.node.path, tags: n.model.settings.tags });
      if (opts.output === 'json') p.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) p.out(`${r.materialized.padEnd(9)} ${r.name.padEnd(28)} ${(r.relation ?? '-').padEnd(32)} ${r.path}`);
    });

  withCommon(program.command('verify').description('rebuild the selected models (or partitions) into temporary tables and compare them with what is published; exit 1 on drift'))
    .option('--start <date>', 'only the partitions from this date (YYYY-MM-DD[ HH:MM:SS]) of time-partitioned models')
    .option('--end <date>', 'up to the partition holding this date (default: --start)')
    .addOption(new Option('--output <format>', 'the account as text, or the verdicts as JSON').choices(['text', 'json']).default('text'))
    .action(async (opts: CommonOptions & { start?: string; end?: string; output: 'text' | 'json' }) => {
      const range = rangeOption(opts);
      const { loadProject } = await import('../session/project.js');
      const { selectNodes } = await import('../graph/selection/select.js');
      const project = await open(loadProject, opts);
      const { runVerify } = await import('./verify.js');
      code = await runVerify(project, selectNodes(project.graph, opts), range, opts.output, p);
    });

  withCommon(program.command('estimate').description('capacity math from what the warehouse holds: rows per day and per second at peak, build time, growth, and which limit comes first'))
    .option('--growth <factor>', 'project the figures at this multiple of today', '10')
    .option('--peak-factor <factor>', 'peak over average where no busiest hour can be measured', '3')
    .option('--window <days>', 'the days of data to read, ending at the newest (e.g. 30d)', '30d')
    .option('--end <date>', 'end the window on this day (YYYY-MM-DD, included) instead of the newest: leave out days still filling up')
    .option('--node-rows-per-second <n>', 'rows per second one node sustains (default: modest per engine)')
    .option('--build-budget <seconds>', "seconds a model's daily build may take (default: the target's limits.buildBudgetSeconds, else 3600)")
    .option('--storage-budget <bytes>', "bytes a model's year of rows may take as stored, units k, m, g, t (default: the target's limits.storageBudgetBytes, else 1t)")
    .option('--fail-if <condition...>', 'exit 1 when met, e.g. "build_seconds > 3600 at 10x" (metrics: rows_per_day, rows_per_second, peak_rows_per_second, bytes_per_day, storage_per_year, build_seconds)')
    .option('--no-chart', 'do not write the charts (target/estimate/<name>.svg and .png)')
    .option('--calibrate', "first measure the rows per second this machine's engine sustains (a short synthetic load, rolled back) and use it")
    .addOption(new Option('--output <format>', 'the account as text, or the estimates as JSON').choices(['text', 'json']).default('text'))
    .action(async (opts: CommonOptions & { chart: boolean; calibrate?: boolean; growth: string; peakFactor: string; window: string; end?: string; nodeRowsPerSecond?: string; buildBudget?: string; storageBudget?: string; failIf?: string[]; output: 'text' | 'json' }) => {
      const positive = (flag: string, v: string) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new UserError('BAD_ARGUMENT', `${flag} takes a positive number, got '${v}'`);
        return n;
      };
      const bytesOption = (v: string) => {
        const m = /^([\d.]+)\s*([kmgt]?)b?$/i.exec(v);
        const scale: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
        const n = m ? Number(m[1]) * scale[m[2]!.toLowerCase()]! : NaN;
        if (!Number.isFinite(n) || n <= 0) throw new UserError('BAD_ARGUMENT', `--storage-budget takes bytes, e.g. 500g or 2t, got '${v}'`);
        return n;
      };
      const window = /^(\d+)d?$/.exec(opts.window);
      if (!window || Number(window[1]) < 1) throw new UserError('BAD_ARGUMENT', `--window takes days, e.g. 30d, got '${opts.window}'`);
      if (opts.end !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(opts.end) && !Number.isNaN(Date.parse(`${opts.end}T00:00:00Z`)))) {
        throw new UserError('BAD_ARGUMENT', `--end takes a day, YYYY-MM-DD, got '${opts.end}'`);
      }
      const { loadProject } = await import('../session/project.js');
      const { selectNodes } = await import('../graph/selection/select.js');
      const { DEFAULT_NODE_ROWS_PER_SECOND, METRICS } = await import('../estimate/estimate.js');
      const { parseFailIf } = await import('../estimate/math.js');
      const failIf = (opts.failIf ?? []).map((c) => {
        try {
          return parseFailIf(c, Object.keys(METRICS));
        } catch (err) {
          throw new UserError('BAD_ARGUMENT', (err as Error).message);
        }
      });
      const project = await open(loadProject, opts);
      const { runEstimate } = await import('./estimate.js');
      code = await runEstimate(project, selectNodes(project.graph, opts), {
        growth: positive('--growth', opts.growth), peakFactor: positive('--peak-factor', opts.peakFactor), windowDays: Number(window[1]), windowEnd: opts.end,
        // Flags over the target's limits over the defaults.
        nodeRowsPerSecond: opts.nodeRowsPerSecond ? positive('--node-rows-per-second', opts.nodeRowsPerSecond) : project.target.limits?.nodeRowsPerSecond ?? DEFAULT_NODE_ROWS_PER_SECOND[project.target.type],
        buildBudgetSeconds: opts.buildBudget ? positive('--build-budget', opts.buildBudget) : project.target.limits?.buildBudgetSeconds ?? 3600,
        storageBudgetBytes: opts.storageBudget ? bytesOption(opts.storageBudget) : project.target.limits?.storageBudgetBytes ?? 1e12,
        engine: project.target.type,
      }, { failIf, output: opts.output, charts: opts.chart, calibrate: opts.calibrate === true, nodeRowsGiven: opts.nodeRowsPerSecond !== undefined }, p);
    });

  const docs = program.command('docs').description('a static site of the project: the DAG, SQL, columns, tests, partitions and quarantined rows');
  withCommon(docs.command('generate').description('write the site to target/docs/ and catalog.json (columns and types read from the warehouse)'), { selection: false })
    .option('--empty-catalog', 'do not open the warehouse: no columns, partitions or quarantine counts')
    .action(async (opts: CommonOptions & { emptyCatalog?: boolean }) => {
      const { loadProject } = await import('../session/project.js');
      const project = await open(loadProject, opts, { which: 'docs' });
      const { runDocsGenerate } = await import('./docs.js');
      code = await runDocsGenerate(project, opts.emptyCatalog === true, p);
    });
  docs.command('serve').description('serve target/docs/ on 127.0.0.1 (until Ctrl-C)')
    .option('--project-dir <dir>', 'the project directory (default: the nearest folder up from here holding a config)')
    .option('--port <n>', 'the port (0: any free one)', '8080')
    .option('--host <address>', 'the address to listen on; another than 127.0.0.1 lets other machines read the docs', '127.0.0.1')
    .action(async (opts: { projectDir?: string; port: string; host: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError('BAD_ARGUMENT', `--port takes a port number, 0 to 65535, got '${opts.port}'`);
      const { runDocsServe } = await import('./docs.js');
      code = await runDocsServe(projectDirOf(opts), opts.host, port, p);
    });

  withCommon(program.command('debug').description('check the connection to the target; print engine version and settings'), { selection: false })
    .action(async (opts: CommonOptions) => {
      const { loadProject } = await import('../session/project.js');
      const { runDebug } = await import('./debug.js');
      code = await runDebug(await open(loadProject, opts), p);
    });

  program.command('init [dir]').description('create a minimal working project in a new or empty directory (default: the current one)')
    .action(async (dir: string | undefined) => {
      const { scaffoldProject, nextSteps } = await import('./init.js');
      const files = scaffoldProject(dir ?? '.');
      for (const f of files) p.out(`created ${join(dir ?? '', f)}`);
      p.out(`\n${nextSteps(dir)}`);
    });

  try {
    await program.parseAsync([...argv], { from: 'node' });
    return code;
  } catch (err) {
    return handleError(err);
  } finally {
    p.close();
  }

  function handleError(err: unknown): number {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    if (isUserError(err)) {
      printUserError(p, err);
      // A query that failed in the engine (sf show) is a failure, not an invalid command.
      const all = err instanceof UserErrors ? err.errors : [err];
      return all.some((e) => e.code === 'QUERY_FAILED') ? EXIT.failed : EXIT.invalid;
    }
    p.err(`internal error (a bug in sf; please report it): ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return EXIT.failed;
  }
}

function projectOptions(opts: CommonOptions) {
  return {
    projectDir: projectDirOf(opts), configFile: opts.config, target: opts.target, vars: parseVars(opts.vars), partialParse: opts.partialParse,
    profilesDir: opts.profilesDir, profile: opts.profile,
  };
}

/** `--project-dir`, else the nearest folder up from here holding a config (else here, to say none was found). */
function projectDirOf(opts: { projectDir?: string | undefined; config?: string | undefined }): string {
  return opts.projectDir ?? (opts.config ? '.' : findProjectDir(process.cwd()) ?? '.');
}

/** --vars in dbt's form: a YAML mapping (`{key: value}`, `key: value`), JSON included. */
function parseVars(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new UserError('BAD_ARGUMENT', `--vars is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`, {
      hint: `pass a mapping, e.g. --vars '{start_date: 2026-05-01}' or --vars '{"start_date": "2026-05-01"}'`,
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError('BAD_ARGUMENT', '--vars must be a mapping of names to values', { hint: `e.g. --vars '{k: v}' or --vars 'k: v'` });
  }
  return value as Record<string, unknown>;
}

/** --start/--end (end included) or --event-time-start/--event-time-end (end excluded). */
function rangeOption(opts: RunOptions): { start: string; end: string; endExclusive: boolean } | undefined {
  const dbt = opts.eventTimeStart !== undefined || opts.eventTimeEnd !== undefined;
  const own = opts.start !== undefined || opts.end !== undefined;
  if (opts.missing && opts.fullRefresh) {
    throw new UserError('BAD_ARGUMENT', '--missing fills gaps of existing tables; --full-refresh rebuilds them: give one of them');
  }
  if (!dbt && !own) return undefined;
  if (dbt && own) throw new UserError('BAD_ARGUMENT', 'give --start/--end or --event-time-start/--event-time-end, not both');
  if (opts.missing) throw new UserError('BAD_ARGUMENT', '--missing finds its own partitions: drop --start/--end, or drop --missing');
  const start = dbt ? opts.eventTimeStart : opts.start;
  const end = dbt ? opts.eventTimeEnd : opts.end ?? opts.start;
  if (start === undefined || end === undefined) {
    throw new UserError('BAD_ARGUMENT', dbt ? '--event-time-start and --event-time-end go together' : '--end needs --start', {
      hint: 'e.g. --start 2026-06-01 --end 2026-06-24',
    });
  }
  for (const [flag, value] of [['start', start], ['end', end]] as const) {
    if (!isDateTime(value)) {
      throw new UserError('BAD_ARGUMENT', `--${dbt ? 'event-time-' : ''}${flag} '${value}' is not a date`, { hint: 'use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC)' });
    }
  }
  const [from, to] = [normalizeDateTime(start), normalizeDateTime(end)];
  if (to < from || (dbt && to === from)) {
    throw new UserError('BAD_ARGUMENT', `the range ends (${end}) before it starts (${start})`);
  }
  return { start: from, end: to, endExclusive: dbt };
}

function parseSeconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UserError('BAD_ARGUMENT', `--lock-timeout takes seconds >= 0, got '${text}'`);
  return n;
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < -1) throw new UserError('BAD_ARGUMENT', `--limit takes a whole number of rows (-1: all), got '${text}'`);
  return n;
}

function parsePositiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UserError('BAD_ARGUMENT', `--threads takes a whole number >= 1, got '${text}'`);
  return n;
}
