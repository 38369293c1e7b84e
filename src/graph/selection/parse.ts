// dbt-style selectors. Space-separated terms are a union; comma-joined parts of one term are
// an intersection. A part is `[@][N+]method:value[+N]` or `[+]name[+]`:
//   name | stg_*            models or seeds by name (glob)
//   tag:daily               nodes with that tag
//   path:models/staging     nodes whose file is at or under that path
//   file:fact_sales.sql     nodes whose file has that name (with or without its extension)
//   fqn:shopflow.staging    nodes whose dbt fqn (project, folders, name) starts so
//   resource_type:seed      models or seeds
//   package:shopflow        nodes of that project or package
//   config.materialized:view  nodes with that config value (any element of a list)
//   source:raw+ / source:raw.orders+  what reads the source (a source is not built itself)
//   +x / x+ / 2+x / x+1     with ancestors / descendants (optionally to a depth)
//   @x                      x, its descendants, and all their ancestors
import { UserError } from '../../util/errors.js';

export type SelectorMethod = 'name' | 'tag' | 'path' | 'file' | 'fqn' | 'resource_type' | 'package' | 'source' | `config.${string}`;

const METHODS = ['tag', 'path', 'file', 'fqn', 'resource_type', 'package', 'source', 'config.<key>'];
const HINT = 'use name, +name, name+, @name, or a method: ' + METHODS.map((m) => `${m}:`).join(', ') + ' (union with spaces, intersection with commas)';

export interface SelectorPart {
  readonly raw: string;
  readonly method: SelectorMethod;
  readonly value: string;
  /** Ancestor depth to add: 0 none, Infinity all. */
  readonly parents: number;
  readonly children: number;
  /** `@`: with its descendants and all their ancestors. */
  readonly at: boolean;
}

/** Union of intersections. */
export type Selection = readonly (readonly SelectorPart[])[];

const PART = /^(@)?(?:(\d*)\+)?(?:([a-z_]+(?:\.[A-Za-z_][\w]*)?):)?([^+@]+?)(?:\+(\d*))?$/;

/** `isName` lets a term that names a node exactly (`order items`) stand whole, spaces and all. */
export function parseSelection(terms: readonly string[], isName: (name: string) => boolean = () => false): Selection {
  // `--select ''` selects nothing, like a selector that matches nothing: an error, not "everything".
  if (terms.some((t) => t.trim() === '')) {
    throw new UserError('SELECTION', 'an empty selector selects nothing', { hint: "give a name, +name, name+, tag:x, path:models/x or another method; leave --select out to select everything" });
  }
  return terms
    .flatMap((t) => (isName(t.trim().replace(/^\d*\+|\+\d*$/g, '')) ? [t.trim()] : t.split(/\s+/)))
    .filter(Boolean)
    .map((term) => term.split(',').filter(Boolean).map(parsePart));
}

function parsePart(raw: string): SelectorPart {
  const match = PART.exec(raw);
  if (!match || (match[1] && match[2] !== undefined)) {
    throw new UserError('SELECTION', `cannot read selector '${raw}'${match ? ': @ and a leading + do not combine' : ''}`, { hint: HINT });
  }
  const [, at, up, method = 'name', value, down] = match;
  if (!['name', ...METHODS].includes(method) && !/^config\.\w+$/.test(method)) {
    throw new UserError('SELECTION', `unknown selector method '${method}:' in '${raw}'`, { hint: HINT });
  }
  const depth = (d: string | undefined) => (d === undefined ? 0 : d === '' ? Infinity : Number(d));
  return { raw, method: method as SelectorMethod, value: value!, parents: depth(up), children: depth(down), at: at === '@' };
}
