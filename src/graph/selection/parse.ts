// dbt-style selectors. Space-separated terms are a union; comma-joined parts of one term are
// an intersection. A part is `[N+]method:value[+N]` or `[+]name[+]`:
//   name | stg_*            models or seeds by name (glob)
//   tag:daily               nodes with that tag
//   path:models/staging     nodes whose file is at or under that path
//   +x / x+ / 2+x / x+1     with ancestors / descendants (optionally to a depth)
import { UserError } from '../../util/errors.js';

export type SelectorMethod = 'name' | 'tag' | 'path';

export interface SelectorPart {
  readonly raw: string;
  readonly method: SelectorMethod;
  readonly value: string;
  /** Ancestor depth to add: 0 none, Infinity all. */
  readonly parents: number;
  readonly children: number;
}

/** Union of intersections. */
export type Selection = readonly (readonly SelectorPart[])[];

const PART = /^(?:(\d*)\+)?(?:([a-z_]+):)?([^+]+?)(?:\+(\d*))?$/;

/** `isName` lets a term that names a node exactly (`order items`) stand whole, spaces and all. */
export function parseSelection(terms: readonly string[], isName: (name: string) => boolean = () => false): Selection {
  // `--select ''` selects nothing, like a selector that matches nothing: an error, not "everything".
  if (terms.some((t) => t.trim() === '')) {
    throw new UserError('SELECTION', 'an empty selector selects nothing', { hint: "give a name, +name, name+, tag:x or path:models/x; leave --select out to select everything" });
  }
  return terms
    .flatMap((t) => (isName(t.trim().replace(/^\d*\+|\+\d*$/g, '')) ? [t.trim()] : t.split(/\s+/)))
    .filter(Boolean)
    .map((term) => term.split(',').filter(Boolean).map(parsePart));
}

function parsePart(raw: string): SelectorPart {
  const match = PART.exec(raw);
  if (!match) {
    throw new UserError('SELECTION', `cannot read selector '${raw}'`, {
      hint: "use name, +name, name+, tag:x or path:models/x (union with spaces, intersection with commas)",
    });
  }
  const [, up, method = 'name', value, down] = match;
  if (method !== 'name' && method !== 'tag' && method !== 'path') {
    throw new UserError('SELECTION', `unknown selector method '${method}:' in '${raw}'`, {
      hint: 'methods are tag: and path: (a bare word selects by name)',
    });
  }
  const depth = (d: string | undefined) => (d === undefined ? 0 : d === '' ? Infinity : Number(d));
  return { raw, method, value: value!, parents: depth(up), children: depth(down) };
}
