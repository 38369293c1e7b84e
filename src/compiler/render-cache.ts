// The compile's first render of each model, kept in target/ between runs (dbt's partial
// parsing, made exact). An entry is used only when nothing its render could have seen has
// changed: the template text, the model's path and folder settings (this.schema, config.get),
// every var and environment variable it read (by value), every macro it called (by its file's
// text), and, for the whole file, sf's own build, the target and the names ref() and
// source() may take. A render that read another model's relation attributes
// (`ref('x').schema`), or failed, is not kept.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSettings } from '../config/types.js';

/** What a render read besides its template, by name; the cache records the values' hashes. */
export interface RenderReads {
  readonly vars: Set<string>;
  readonly env: Set<string>;
  readonly macros: Set<string>;
  /** Read something the cache cannot check (another model's relation attributes). */
  opaque: boolean;
}

export function noReads(): RenderReads {
  return { vars: new Set(), env: new Set(), macros: new Set(), opaque: false };
}

/** A first render, as compile uses it. */
export interface CachedRender {
  readonly text: string;
  readonly refs: readonly string[];
  readonly sources: readonly { readonly source: string; readonly table: string }[];
  readonly settings: ModelSettings;
  /** What the render's config() set that sf does not apply, said again on a cache hit. */
  readonly warnings?: readonly string[] | undefined;
}

interface Entry extends CachedRender {
  readonly key: string;
  readonly vars: readonly [string, string][];
  readonly env: readonly [string, string][];
  readonly macros: readonly [string, string][];
}

interface CacheFile {
  readonly scope: string;
  readonly entries: Record<string, Entry>;
}

/** What a cached render is checked against now. */
export interface CurrentInputs {
  readonly varHash: (name: string) => string;
  readonly envHash: (name: string) => string;
  /** The hash of the file defining macro `name`, or undefined if no macro has the name now. */
  readonly macroHash: (name: string) => string | undefined;
}

export function hashOf(value: unknown): string {
  return createHash('sha1').update(typeof value === 'string' ? value : JSON.stringify(value) ?? 'undefined').digest('base64url');
}

/** This build of sf (its compiler modules' times): a cache written by other code is not read. */
const BUILD = (() => {
  const self = fileURLToPath(import.meta.url);
  const ext = extname(self);
  return ['render-cache', 'compile', 'context', 'resolve', 'jinja-compat', 'cross-db', 'naming'].map((m) => statSync(join(dirname(self), `${m}${ext}`)).mtimeMs).join(':');
})();

export class RenderCache {
  readonly #path: string | undefined;
  readonly #scope: string;
  readonly #old: Record<string, Entry>;
  readonly #next: Record<string, Entry> = {};
  #changed = false;

  /** `path` undefined: a cache that keeps nothing (--no-partial-parse). */
  constructor(path: string | undefined, scope: unknown) {
    this.#path = path;
    this.#scope = hashOf([BUILD, scope]);
    this.#old = path ? readEntries(path, this.#scope) : {};
  }

  /** The key of a model's template and settings. */
  static keyOf(rawSql: string, path: string, folderSettings: unknown): string {
    return hashOf([rawSql, path, folderSettings]);
  }

  lookup(name: string, key: string, now: CurrentInputs): CachedRender | undefined {
    const entry = this.#old[name];
    const fresh = entry !== undefined && entry.key === key
      && entry.vars.every(([v, h]) => now.varHash(v) === h)
      && entry.env.every(([e, h]) => now.envHash(e) === h)
      && entry.macros.every(([m, h]) => now.macroHash(m) === h);
    if (!fresh) return undefined;
    this.#next[name] = entry;
    return entry;
  }

  store(name: string, key: string, render: CachedRender, reads: RenderReads, now: CurrentInputs): void {
    if (!this.#path || reads.opaque) return;
    this.#changed = true;
    this.#next[name] = {
      key, text: render.text, refs: render.refs, sources: render.sources, settings: render.settings,
      ...(render.warnings?.length ? { warnings: render.warnings } : {}),
      vars: [...reads.vars].map((v) => [v, now.varHash(v)]),
      env: [...reads.env].map((e) => [e, now.envHash(e)]),
      macros: [...reads.macros].map((m) => [m, now.macroHash(m) ?? '']),
    };
  }

  /** Writes the entries used or made this compile, if any changed; atomic (rename). */
  save(): void {
    if (!this.#path) return;
    if (!this.#changed && Object.keys(this.#next).length === Object.keys(this.#old).length) return;
    const file: CacheFile = { scope: this.#scope, entries: this.#next };
    mkdirSync(dirname(this.#path), { recursive: true });
    const temp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(file));
    renameSync(temp, this.#path);
  }
}

function readEntries(path: string, scope: string): Record<string, Entry> {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
    return file.scope === scope && typeof file.entries === 'object' ? file.entries : {};
  } catch {
    // No cache yet, or an unreadable one: compile everything (and write a good one).
    return {};
  }
}
