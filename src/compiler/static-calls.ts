// A model's first render done without Nunjucks, for templates simple enough to read directly
// (dbt's "static parser" idea, extended to the text): no template compile, no render. Only
// templates whose every tag is one of a few plain forms are read this way:
// `{{ ref('x') }}`, `{{ source('s', 't') }}`, `{{ config(key=literal, ...) }}`,
// `{{ var('x'[, literal]) }}`, `{{ env_var('X'[, literal]) }}`, `{{ this }}`, comments, and
// `{% if is_incremental() %}` / `{% if sf.batch_start %}` (or `sf.is_batch`) blocks, which a
// first render skips (with their `{% else %}`, which it renders). Anything else (a macro, a
// filter, a loop, `{% set %}`) returns undefined, and the caller renders the template with
// Nunjucks. Calls go to the render's own globals, so errors and checks are the same.
import nunjucks from 'nunjucks';

export interface StaticCall {
  readonly name: 'ref' | 'source' | 'config' | 'var' | 'env_var' | 'this';
  /** Positional arguments; `config` gets one object of keyword arguments. */
  readonly args: readonly unknown[];
}

/** Nunjucks' own parser (untyped in @types/nunjucks): expressions read exactly as a render reads them. */
const parser = (nunjucks as unknown as { parser: { parse(source: string): unknown } }).parser;
const CALLS = new Set(['ref', 'source', 'config', 'var', 'env_var']);
const TAG = /\{\{-?([\s\S]*?)-?\}\}|\{%-?([\s\S]*?)-?%\}|\{#[\s\S]*?#\}/g;
/** Conditions that are false in a first render (no table yet, no batch). */
const FALSE_IN_FIRST_RENDER = /^if\s+(is_incremental\(\s*\)|sf\.batch_start|sf\.batch_end|sf\.is_batch|sf\.partition)$/;

/**
 * The first render of `template` without Nunjucks, when every tag is a plain form: `call`
 * answers each call in order (the render's own globals), and the text is what Nunjucks would
 * print, whitespace control (`{%-`, `-}}`, ...) included. Undefined when a tag is anything
 * else (even in a skipped branch, so a template Nunjucks would refuse is never read), or a
 * call's value would not print as text (null: Nunjucks fails on printing it).
 */
export function staticRender(template: string, call: (c: StaticCall) => unknown): string | undefined {
  let out = '';
  let last = 0;
  let dropLeading = false;
  /** Per open {% if %}: is its current branch rendered? */
  const rendered: boolean[] = [];
  const active = () => rendered.every(Boolean);
  const data = (text: string, trimEnd: boolean) => {
    let t = dropLeading ? text.replace(/^\s*/, '') : text;
    if (trimEnd) t = t.replace(/\s*$/, '');
    if (active()) out += t;
  };
  for (const match of template.matchAll(TAG)) {
    const tag = match[0];
    data(template.slice(last, match.index), tag[2] === '-');
    last = match.index + tag.length;
    dropLeading = tag[tag.length - 3] === '-';
    const [, expression, statement] = match;
    if (statement !== undefined) {
      const words = statement.trim().replace(/\s+/g, ' ');
      if (FALSE_IN_FIRST_RENDER.test(words)) rendered.push(false);
      else if (words === 'else' && rendered.length) rendered.push(!rendered.pop()!);
      else if (words === 'endif' && rendered.length) rendered.pop();
      else return undefined;
    } else if (expression !== undefined) {
      const parsed = callOf(expression);
      if (parsed === undefined) return undefined;
      if (!active()) continue;
      const value = parsed === 'this' ? call({ name: 'this', args: [] }) : call(parsed);
      if (value === null || value === undefined) return undefined;
      out += String(value);
    }
  }
  if (rendered.length) return undefined;
  data(template.slice(last), false);
  return out;
}

interface AstNode {
  readonly typename: string;
  readonly value?: unknown;
  readonly children?: readonly AstNode[];
  readonly name?: AstNode;
  readonly args?: AstNode;
  readonly key?: AstNode;
}

/** `ref('x')`, `source('s', 't')`, `var('x', 'd')`: one or two plain strings, read without the parser. */
const PLAIN_CALL = /^\s*(ref|source|var|env_var)\(\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*(?:,\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*)?\)\s*$/;

function callOf(expression: string): StaticCall | 'this' | undefined {
  const plain = PLAIN_CALL.exec(expression);
  if (plain) {
    const second = plain[4] ?? plain[5];
    return { name: plain[1] as StaticCall['name'], args: [plain[2] ?? plain[3], ...(second === undefined ? [] : [second])] };
  }
  if (expression.trim() === 'this') return 'this';
  let root: AstNode;
  try {
    root = parser.parse(`{{${expression}}}`) as AstNode;
  } catch {
    return undefined; // the render reports it, with its line
  }
  const output = root.children?.length === 1 ? root.children[0] : undefined;
  const node = output?.typename === 'Output' && output.children?.length === 1 ? output.children[0]! : undefined;
  if (node?.typename === 'Symbol' && node.value === 'this') return 'this';
  if (node?.typename !== 'FunCall' || node.name?.typename !== 'Symbol' || !CALLS.has(String(node.name.value))) return undefined;
  const name = String(node.name.value) as StaticCall['name'];
  const args: unknown[] = [];
  for (const arg of node.args?.children ?? []) {
    if (arg.typename === 'KeywordArgs') {
      const kwargs: Record<string, unknown> = { __keywords: true };
      for (const pair of arg.children ?? []) {
        const value = literal(pair.value as AstNode | undefined);
        if (pair.key?.typename !== 'Symbol' || value === NOT_LITERAL) return undefined;
        kwargs[String(pair.key.value)] = value;
      }
      args.push(kwargs);
    } else {
      const value = literal(arg);
      if (value === NOT_LITERAL) return undefined;
      args.push(value);
    }
  }
  return { name, args };
}

const NOT_LITERAL = Symbol('not a literal');

/** A literal, a list or a dict of literals; anything computed is NOT_LITERAL. */
function literal(node: AstNode | undefined): unknown {
  if (!node) return NOT_LITERAL;
  if (node.typename === 'Literal') return node.value;
  if (node.typename === 'Array') {
    const items = (node.children ?? []).map(literal);
    return items.includes(NOT_LITERAL) ? NOT_LITERAL : items;
  }
  if (node.typename === 'Dict') {
    const out: Record<string, unknown> = {};
    for (const pair of node.children ?? []) {
      const key = pair.key?.typename === 'Literal' ? pair.key.value : NOT_LITERAL;
      const value = literal(pair.value as AstNode | undefined);
      if (key === NOT_LITERAL || value === NOT_LITERAL) return NOT_LITERAL;
      out[String(key)] = value;
    }
    return out;
  }
  return NOT_LITERAL;
}
