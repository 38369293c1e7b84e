// Sources come from the config file and from property files (dbt's `sources:`); both resolve
// to the same shape, and a source may be declared in both when they agree on its schema.
import { UserError } from '../util/errors.js';
import type { FreshnessRule, ResolvedSource, ResolvedSourceTable, SourceConfig, SourceTableConfig } from './types.js';

/** A source as declared in one place, before merging. */
export interface SourceDeclaration extends SourceConfig {
  readonly name: string;
  readonly file: string;
  readonly line?: number | undefined;
  /** Line of each table entry, by name (property files). */
  readonly tableLines?: Readonly<Record<string, number>>;
}

/** Resolves declarations, over `base` (the config file's sources, when adding property files'). */
export function resolveSources(
  declarations: readonly SourceDeclaration[],
  base: Readonly<Record<string, ResolvedSource>> = {},
): { sources: Record<string, ResolvedSource>; errors: UserError[] } {
  const sources: Record<string, ResolvedSource> = { ...base };
  const errors: UserError[] = [];
  for (const decl of declarations) {
    const schema = decl.schema ?? decl.name;
    const previous = sources[decl.name];
    if (previous && previous.schema !== schema) {
      const where = Object.values(previous.details)[0]?.file ?? 'another file';
      errors.push(new UserError('PROPERTIES', `source '${decl.name}' is declared with schema '${schema}' here and '${previous.schema}' in ${where}`, {
        location: { file: decl.file, line: decl.line },
        hint: 'declare each source in one place, or give both the same schema',
      }));
      continue;
    }
    const details: Record<string, ResolvedSourceTable> = { ...previous?.details };
    for (const raw of decl.tables) {
      const t: SourceTableConfig = typeof raw === 'string' ? { name: raw } : raw;
      const line = decl.tableLines?.[t.name] ?? decl.line;
      if (details[t.name]) {
        const other = details[t.name]!;
        errors.push(new UserError('PROPERTIES', `source table ${decl.name}.${t.name} is declared twice (also at ${other.file}${other.line ? `:${other.line}` : ''})`, {
          location: { file: decl.file, line }, hint: 'keep one declaration of each source table',
        }));
        continue;
      }
      const loadedAtField = t.loaded_at_field ?? decl.loaded_at_field;
      const freshness = mergeFreshness(decl.freshness, t.freshness);
      details[t.name] = {
        name: t.name,
        identifier: t.identifier ?? t.name,
        eventTime: t.event_time,
        loadedAtField,
        freshness: loadedAtField && freshness && (freshness.warn_after || freshness.error_after) ? freshness : undefined,
        file: decl.file,
        line,
      };
    }
    sources[decl.name] = {
      schema,
      tables: Object.keys(details),
      eventTime: Object.fromEntries(Object.values(details).filter((d) => d.eventTime).map((d) => [d.name, d.eventTime!])),
      details,
    };
  }
  return { sources, errors };
}

/** As dbt: a table's rule overrides the source's key by key; `null` turns it off. */
function mergeFreshness(base: FreshnessRule | undefined, table: FreshnessRule | null | undefined): FreshnessRule | undefined {
  if (table === null) return undefined;
  if (!base) return table;
  return table ? { ...base, ...table } : base;
}

/** The warehouse relation of `source(name, table)`: the source's schema and the table's identifier. */
export function sourceRelation(sources: Readonly<Record<string, ResolvedSource>>, source: string, table: string): { schema: string; name: string } {
  const s = sources[source]!;
  return { schema: s.schema, name: s.details[table]?.identifier ?? table };
}

/** `raw.orders` -> ['raw', 'orders'] (a table name may hold dots; a source name does not). */
export function splitSourceKey(key: string): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}
