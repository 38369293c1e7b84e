// `sf show`: the first rows of a model's compiled SQL, or of an inline query, run against the
// target as dbt's `show` does. Read-only: it writes nothing, takes no lock, and reads what is
// built (a model whose inputs are not built yet gets "build it first").
import { sql } from 'kysely';
import { openAdapter } from '../adapters/registry.js';
import { renderAskingModels } from './warehouse-answers.js';
import { scanStatements } from '../compiler/sql-statements.js';
import { selectNodes, type SelectOptions } from '../graph/selection/select.js';
import { UserError, UserErrors } from '../util/errors.js';
import { pointAtCompiled } from '../runner/sql-lines.js';
import type { LoadedProject } from './project.js';
import { describeUnbuilt, unbuiltInputs } from './unbuilt.js';

export interface ShowRequest extends SelectOptions {
  readonly inline?: string | undefined;
  /** Rows to show; a negative number: all of them. */
  readonly limit: number;
}

export interface Preview {
  /** The model's name, or `inline`. */
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

interface Query {
  readonly name: string;
  readonly kind: 'model' | 'seed' | 'inline';
  /** As errors name it: `model 'x'`, `the inline query`. */
  readonly label: string;
  sql: string;
  readonly refs: readonly string[];
}

/**
 * Runs each query, handing each preview to `onPreview` as it comes; the ones that cannot run
 * are thrown together at the end (a failure in the engine as QUERY_FAILED, exit 1).
 */
export async function showRows(project: LoadedProject, request: ShowRequest, onPreview: (p: Preview) => void): Promise<void> {
  const queries = request.inline !== undefined ? [inlineQuery(project, request.inline)] : selectedModels(project, request);
  const adapter = await openAdapter(project.target, project.config.projectDir);
  const errors: UserError[] = [];
  try {
    for (const q of queries) {
      const missing = await unbuiltInputs(adapter, project, q.refs);
      if (missing.length) {
        const what = q.kind === 'seed' ? `seed '${q.name}' is not built yet` : `${q.label} ${describeUnbuilt(adapter, missing)}`;
        errors.push(new UserError('NOT_BUILT', what, {
          hint: `build ${missing.length === 1 ? 'it' : 'them'} first: sf build --select ${q.kind === 'inline' ? missing.map((m) => `+${m.name}`).join(' ') : `+${q.name}`}`,
        }));
        continue;
      }
      // A model that asks the warehouse while it renders is rendered now, its inputs built.
      if (q.kind === 'model') q.sql = (await renderAskingModels(project, [q.name], adapter)).get(q.name) ?? q.sql;
      // The newline keeps a trailing `-- comment` of the query from commenting out the wrapper.
      const wrapped = `select * from (\n${q.sql}\n) as sf_preview${request.limit >= 0 ? ` limit ${request.limit}` : ''}`;
      try {
        const rows = (await sql.raw<Record<string, unknown>>(wrapped).execute(adapter.db)).rows;
        const columns = rows.length ? Object.keys(rows[0]!) : [];
        onPreview({ name: q.name, columns, rows: rows.map((r) => columns.map((c) => r[c])) });
      } catch (err) {
        // The engine's line is one of the wrapper's: moved to the query's own.
        const message = pointAtCompiled(adapter.describeError(err).message, wrapped, q.sql).replace('of the compiled SQL', q.kind === 'inline' ? 'of --inline' : 'of the compiled SQL');
        errors.push(new UserError('QUERY_FAILED', `${q.label} failed: ${message}`));
      }
    }
  } finally {
    await adapter.close();
  }
  UserErrors.throwIfAny(errors);
}

function inlineQuery(project: LoadedProject, text: string): Query {
  if (!text.trim()) throw new UserError('BAD_ARGUMENT', '--inline is empty', { hint: `e.g. sf show --inline "select * from {{ ref('orders') }}"` });
  const rendered = project.compiled.renderSnippet(text, { name: 'inline', file: '--inline', what: 'the inline query' });
  const scan = scanStatements(rendered.sql);
  if (scan.count !== 1) {
    throw new UserError('BAD_ARGUMENT', scan.count === 0 ? '--inline holds no SQL statement, only comments' : `--inline holds ${scan.count} SQL statements; sf show runs one query`);
  }
  return { name: 'inline', kind: 'inline', label: 'the inline query', sql: scan.body, refs: rendered.refs };
}

function selectedModels(project: LoadedProject, request: SelectOptions): Query[] {
  if (!request.select?.length) {
    throw new UserError('BAD_ARGUMENT', 'sf show needs --select <model> or --inline "<sql>"', { hint: 'e.g. sf show --select dim_products --limit 10' });
  }
  const selected = selectNodes(project.graph, request);
  const models = project.compiled.models.filter((m) => selected.has(m.node.name));
  const seeds = project.compiled.seeds.filter((s) => selected.has(s.node.name));
  const queries: Query[] = [
    ...models.map((m): Query => ({ name: m.node.name, kind: 'model', label: `model '${m.node.name}'`, sql: m.sql, refs: m.refs })),
    // A seed has no SQL: its preview is its table.
    ...seeds.map((s): Query => ({ name: s.node.name, kind: 'seed', label: `seed '${s.node.name}'`, sql: `select * from ${project.dialect.renderRelation(s.relation)}`, refs: [s.node.name] })),
  ];
  if (queries.length === 0) throw new UserError('BAD_ARGUMENT', 'the selection holds no model or seed to show');
  return queries;
}
