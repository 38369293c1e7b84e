// The config file's mistakes as a user wants them: every one at once, each with its line in
// the file and, for a misspelled key or value, the closest valid one (`threds` -> `threads`).
// The config is TypeScript, evaluated; its lines are found again by following the issue's key
// path through the source text (comments blanked), which holds for the object literals a
// config is written as. Where the path cannot be followed, the error has no line.
import type { z } from 'zod';
import { lineAt } from '../compiler/sql-statements.js';
import { UserError } from '../util/errors.js';
import { closest } from '../util/suggest.js';
import { escapeRegExp } from '../util/regex.js';

type Path = readonly PropertyKey[];

export function configIssues(error: z.ZodError, schema: z.ZodType, source: string, file: string, raw?: unknown): UserError[] {
  const text = blankComments(source);
  const at = (path: Path) => ({ file, line: lineOfPath(text, path) });
  const hint = 'see the README section "Configuration" for every key and its type';
  return error.issues.flatMap((issue): UserError[] => {
    const path = issue.path;
    const name = dotted(path);
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, path);
      return issue.keys.map((key) => {
        const near = closest(key, known);
        return new UserError('CONFIG_INVALID', `${dotted([...path, key])}: unknown key '${key}'`, {
          location: at([...path, key]),
          hint: near ? `did you mean '${near}'?` : known.length ? `the keys here are ${known.join(', ')}` : hint,
        });
      });
    }
    if (issue.code === 'invalid_value' && typeof issue.input === 'string') {
      const values = issue.values.map(String);
      const near = closest(issue.input, values);
      return [new UserError('CONFIG_INVALID', `${name}: '${issue.input}' is not one of ${values.join(', ')}`, {
        location: at(path), hint: near ? `did you mean '${near}'?` : undefined,
      })];
    }
    // A target's `type` that is none of the engines: the closest engine.
    const options = /^Invalid discriminator value\. Expected (.+)$/.exec(issue.message);
    const given = options && valueAt(raw, path);
    if (options && typeof given === 'string') {
      const values = [...options[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
      const near = closest(given, values);
      return [new UserError('CONFIG_INVALID', `${name}: '${given}' is not one of ${values.join(', ')}`, { location: at(path), hint: near ? `did you mean '${near}'?` : hint })];
    }
    const message = issue.message.replace(/^Invalid input: /, '');
    return [new UserError('CONFIG_INVALID', name ? `${name}: ${message}` : message, { location: at(path), hint })];
  });
}

const dotted = (path: Path) => path.map(String).join('.');

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
}

/** The keys an object in `schema` at `path` may hold (every branch of a union). */
export function keysAt(schema: z.ZodType, path: Path): string[] {
  const keys = new Set<string>();
  const walk = (s: unknown, rest: Path): void => {
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return;
    switch (def['type']) {
      case 'optional': case 'nullable': case 'default': case 'readonly':
        return walk(def['innerType'], rest);
      case 'pipe':
        return walk(def['in'], rest);
      case 'union':
        for (const option of def['options'] as unknown[]) walk(option, rest);
        return;
      case 'record':
        return rest.length ? walk(def['valueType'], rest.slice(1)) : undefined;
      case 'array':
        return rest.length ? walk(def['element'], rest.slice(1)) : undefined;
      case 'object': {
        const shape = def['shape'] as Record<string, unknown>;
        if (rest.length === 0) for (const k of Object.keys(shape)) keys.add(k);
        else if (String(rest[0]) in shape) walk(shape[String(rest[0])], rest.slice(1));
        return;
      }
    }
  };
  walk(schema, path);
  return [...keys];
}

/**
 * The line of the last key of `path` that can be found, each searched after the previous
 * one (`targets`, then `dev` after it, then `threds`); array indexes are skipped.
 */
export function lineOfPath(text: string, path: Path): number | undefined {
  let from = 0;
  let line: number | undefined;
  for (const segment of path) {
    if (typeof segment !== 'string') continue;
    const key = new RegExp(`(^|[\\s{,])(['"]?)${escapeRegExp(segment)}\\2\\s*:`, 'g');
    key.lastIndex = from;
    const m = key.exec(text);
    if (!m) return line;
    from = m.index + m[0].length;
    line = lineAt(text, m.index + m[1]!.length);
  }
  return line;
}

/** The source with its comments replaced by spaces (offsets and lines kept; strings left alone). */
export function blankComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
