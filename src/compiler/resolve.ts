// Placeholder tokens -> SQL. A ref to a model or seed becomes its quoted relation, a ref to an
// ephemeral model a CTE name (its body injected on top), a source its relation, `this` the
// model's own relation. In a batch, an input that declares an `event_time` is read through a
// filter to the batch's window, as dbt's microbatch does:
//   from {{ ref('events') }} e   ->   from (select * from "main"."events" where ts >= ... and ts < ...) e
// Unlike dbt, an alias the model already gives the input is kept instead of doubled.
import type { Relation, SqlDialect } from '../adapters/types.js';
import { TOKEN_PATTERN, type TokenTarget } from './context.js';
import { cteName, injectCtes } from './ephemeral.js';
import type { BatchWindow } from './types.js';

export interface ResolveInputs {
  readonly dialect: SqlDialect;
  /** The relation of a model, seed or source token. */
  readonly relationOf: (target: Exclude<TokenTarget, { kind: 'this' }>) => Relation;
  /** The resolved SQL of an ephemeral model, or undefined when `name` is not ephemeral. */
  readonly ephemeralSql: (name: string) => string | undefined;
  /** The event_time column an input declares. */
  readonly eventTimeOf: (target: Exclude<TokenTarget, { kind: 'this' }>) => string | undefined;
}

/** Words that may follow a table in FROM without being its alias. */
const NOT_ALIAS = new Set([
  'where', 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'lateral', 'on', 'using', 'group',
  'order', 'limit', 'offset', 'fetch', 'union', 'except', 'intersect', 'having', 'window', 'qualify',
  'returning', 'set', 'values', 'for', 'when', 'then', 'else', 'end', 'and', 'or', 'as',
]);

export function resolveTokens(text: string, self: Relation, inputs: ResolveInputs, batch?: BatchWindow): string {
  const ctes: { name: string; sql: string }[] = [];
  const { dialect } = inputs;
  const body = text.replace(TOKEN_PATTERN, (_match, json: string, offset: number, whole: string) => {
    const target = JSON.parse(json) as TokenTarget;
    if (target.kind === 'this') return dialect.renderRelation(self);
    if (target.kind === 'ref') {
      const ephemeral = inputs.ephemeralSql(target.name);
      if (ephemeral !== undefined) {
        const name = cteName(target.name);
        if (!ctes.some((c) => c.name === name)) ctes.push({ name, sql: ephemeral });
        return name;
      }
    }
    const relation = inputs.relationOf(target);
    const rendered = dialect.renderRelation(relation);
    const column = batch && batch.filterInputs !== false && !target.plain ? inputs.eventTimeOf(target) : undefined;
    if (!batch || column === undefined) return rendered;
    const filtered = `(select * from ${rendered} where ${dialect.timeRange(column, batch.start, batch.end)})`;
    const after = whole.slice(offset + json.length + 2);
    return hasAlias(after) ? filtered : `${filtered} as ${dialect.quoteIdentifier(relation.name)}`;
  });
  return injectCtes(body, ctes);
}

function hasAlias(after: string): boolean {
  const next = /^\s+(as\s+)?("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)/i.exec(after);
  if (!next) return false;
  return next[1] !== undefined || !NOT_ALIAS.has(next[2]!.toLowerCase());
}
