// Jinja as dbt projects write it, where Nunjucks differs. Loaded once, before any template
// compiles; Nunjucks 3.2.4 is pinned, and jinja-compat.test.ts checks each piece against it.
//   - True, False, None                  globals (Nunjucks knows only true/false/none)
//   - tuples                             ('a', 'b') is a list (Nunjucks gave its last element)
//   - loop filters                       {% for x in xs if cond %}
//   - trailing commas                    [1, 2,]  {'a': 1,}  f(a, b,)  dropped before parsing
//   - Python's methods                   'x'.lower(), s.split(','), l.append(x), d.items(), d.get(k)
//   - {% do expr %}                      evaluates, prints nothing
//   - {{ return(value) }} in a macro     the macro's value is `value` (dbt's return), not its text
//   - tojson / fromjson                  filters and functions
//   - map, unique, min, max, items, ...  jinja-filters.ts
//   - modules.datetime, modules.re       py-modules.ts
//   - Python's truth                     [] and {} are false in if, and, or, not, inline if
//   - macros named _like_this            registered too (dbt registers every macro of a file)
//   - {key: value}                       the key is an expression (a variable), as in Python
//   - s[1:], l[:-1], s[::2]              Python's slices
//   - f(*l, **d), varargs, kwargs        jinja-calls.ts
import nunjucks from 'nunjucks';
import './sandbox.js';
import { pyAdd, pyModules, pySub } from './py-modules.js';
import { installJinjaFilters } from './jinja-filters.js';
import { pyEquals, pyPrintable, pySet, pyTuple } from './py-print.js';
import { namespace, starArgs, withMacroExtras } from './jinja-calls.js';

interface Runtime {
  memberLookup: (obj: unknown, name: unknown) => unknown;
}
const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
interface CompilerProto {
  compileGroup(node: { children: unknown[] }, frame: unknown): void;
  compileIf(node: { cond: unknown }, frame: unknown, async?: boolean): void;
  compileInlineIf(node: { cond: unknown; body: unknown; else_: unknown }, frame: unknown): void;
  compileAnd(node: { left: unknown; right: unknown }, frame: unknown): void;
  compileOr(node: { left: unknown; right: unknown }, frame: unknown): void;
  compileNot(node: { target: unknown }, frame: unknown): void;
  _compileExpression(node: unknown, frame: unknown): void;
  compilePair(node: { key: { value?: unknown }; value: unknown; sfKeyword?: boolean }, frame: unknown): void;
  compileKeywordArgs(node: { children: { sfKeyword?: boolean }[] }, frame: unknown): void;
  compileAdd(node: { left: unknown; right: unknown }, frame: unknown): void;
  compileSub(node: { left: unknown; right: unknown }, frame: unknown): void;
  compileConcat(node: { left: unknown; right: unknown }, frame: unknown): void;
  compileCompare(node: { expr: unknown; ops: { type: string; expr: unknown }[] }, frame: unknown): void;
  _compileAggregate(node: unknown, frame: unknown, open: string, close: string): void;
  compile(node: unknown, frame: unknown): void;
  _emit(code: string): void;
}
interface CompilerClass {
  prototype: CompilerProto;
}
const compiler = (nunjucks as unknown as { compiler: { compile: (src: string, ...rest: unknown[]) => string; Compiler: CompilerClass } }).compiler;

/** What `return(value)` throws; the macro it is in catches it (see withMacroReturns). */
class MacroReturn {
  constructor(readonly value: unknown) {}
}

// ---------------------------------------------------------------------------------------
// Python's methods on strings, lists and dicts, where JavaScript has none of that name. An
// object's own member of the name wins (a relation's `.name`, `config.get`), as Jinja reads
// attributes before items.

type Method = (self: any, ...args: any[]) => unknown;

/** Python's in-place methods return None (printed as nothing here). */
const none = (_done: unknown) => null;

const pyStr = (v: unknown) => (v === null || v === undefined ? 'None' : v === true ? 'True' : v === false ? 'False' : String(v));

const STRING_METHODS: Record<string, Method> = {
  lower: (s: string) => s.toLowerCase(),
  upper: (s: string) => s.toUpperCase(),
  strip: (s: string, chars?: string) => (chars ? trimChars(s, chars, true, true) : s.trim()),
  lstrip: (s: string, chars?: string) => (chars ? trimChars(s, chars, true, false) : s.trimStart()),
  rstrip: (s: string, chars?: string) => (chars ? trimChars(s, chars, false, true) : s.trimEnd()),
  split: (s: string, sep?: string | null, max?: number) => pySplit(s, sep ?? undefined, max),
  startswith: (s: string, prefix: string | string[]) => (Array.isArray(prefix) ? prefix : [prefix]).some((p) => s.startsWith(p)),
  endswith: (s: string, suffix: string | string[]) => (Array.isArray(suffix) ? suffix : [suffix]).some((p) => s.endsWith(p)),
  replace: (s: string, old: string, next: string, count?: number) => {
    if (count === undefined || count < 0) return s.split(old).join(next);
    let out = s;
    for (let i = 0, at = 0; i < count; i++) {
      const found = out.indexOf(old, at);
      if (found < 0) break;
      out = out.slice(0, found) + next + out.slice(found + old.length);
      at = found + next.length;
    }
    return out;
  },
  title: (s: string) => s.replace(/[A-Za-z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s),
  join: (s: string, items: unknown[]) => [...items].map(pyStr).join(s),
  find: (s: string, sub: string) => s.indexOf(sub),
  count: (s: string, sub: string) => (sub ? s.split(sub).length - 1 : s.length + 1),
  isdigit: (s: string) => /^\d+$/.test(s),
  isalpha: (s: string) => /^[A-Za-z]+$/.test(s),
  isalnum: (s: string) => /^[A-Za-z0-9]+$/.test(s),
  islower: (s: string) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s: string) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  format: (s: string, ...args: unknown[]) => {
    let i = 0;
    return s.replace(/\{(\d*)\}/g, (_, n: string) => pyStr(args[n === '' ? i++ : Number(n)]));
  },
};

const LIST_METHODS: Record<string, Method> = {
  append: (l: unknown[], x: unknown) => none(l.push(x)),
  extend: (l: unknown[], xs: unknown[]) => none(l.push(...xs)),
  insert: (l: unknown[], i: number, x: unknown) => none(l.splice(i, 0, x)),
  pop: (l: unknown[], i?: number) => (i === undefined ? l.pop() : l.splice(i, 1)[0]),
  remove: (l: unknown[], x: unknown) => {
    const i = l.indexOf(x);
    if (i >= 0) l.splice(i, 1);
    return null;
  },
  index: (l: unknown[], x: unknown) => l.indexOf(x),
  count: (l: unknown[], x: unknown) => l.filter((y) => y === x).length,
  reverse: (l: unknown[]) => none(l.reverse()),
  sort: (l: unknown[]) => none(l.sort()),
  copy: (l: unknown[]) => [...l],
};

const DICT_METHODS: Record<string, Method> = {
  items: (d: Record<string, unknown>) => Object.entries(d),
  keys: (d: Record<string, unknown>) => Object.keys(d),
  values: (d: Record<string, unknown>) => Object.values(d),
  get: (d: Record<string, unknown>, k: string, fallback: unknown = null) => (Object.hasOwn(d, k) ? d[k] : fallback),
  update: (d: Record<string, unknown>, other: Record<string, unknown>) => none(Object.assign(d, other)),
  pop: (d: Record<string, unknown>, k: string, fallback?: unknown) => {
    const had = Object.hasOwn(d, k);
    const value = had ? d[k] : fallback;
    delete d[k];
    return value;
  },
  setdefault: (d: Record<string, unknown>, k: string, value: unknown = null) => (Object.hasOwn(d, k) ? d[k] : (d[k] = value)),
  copy: (d: Record<string, unknown>) => ({ ...d }),
};

function trimChars(s: string, chars: string, left: boolean, right: boolean): string {
  let [a, b] = [0, s.length];
  while (left && a < b && chars.includes(s[a]!)) a++;
  while (right && b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function pySplit(s: string, sep: string | undefined, max?: number): string[] {
  const parts = sep === undefined ? s.trim().split(/\s+/).filter((p) => p !== '') : s.split(sep);
  if (max === undefined || max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(sep ?? ' ')];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

const sandboxedLookup = runtime.memberLookup;
runtime.memberLookup = (obj, name) => {
  const key = String(name);
  const methods = typeof obj === 'string' ? STRING_METHODS : Array.isArray(obj) ? LIST_METHODS : isPlainObject(obj) && !Object.hasOwn(obj, key) ? DICT_METHODS : undefined;
  const method = methods && Object.hasOwn(methods, key) ? methods[key] : undefined;
  if (method) return (...args: unknown[]) => method(obj, ...args);
  const found = sandboxedLookup(obj, name);
  // A callable namespace (modules.datetime.datetime: called, and has .now()) stays itself, not a bound copy.
  const member = obj !== null && obj !== undefined ? (obj as Record<string, unknown>)[key] : undefined;
  return typeof member === 'function' && Object.keys(member).length > 0 ? member : found;
};

// ---------------------------------------------------------------------------------------
// Source and compiled code: trailing commas out before parsing; a macro body that catches its
// own return(value) and restores the caller's frame (Nunjucks 3.2.4's code for a macro).

// `{% for x in xs if cond %}` (Jinja's loop filter) parses in Nunjucks as the inline if
// `xs if cond`, which loops over everything. Rewritten as Jinja means it: the items passing the
// condition are collected first, then looped over (so loop.index, loop.last and `else` count
// only those):
//   {% set __sf_filtered_N = [] %}
//   {% for x in xs %}{% if cond %}{{ __sf_filtered_N.append(x) }}{% endif %}{% endfor %}
//   {% for x in __sf_filtered_N %}...{% else %}...{% endfor %}
type AstNode = { lineno: number; colno: number; [field: string]: unknown };
type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => AstNode;
interface ParserClass {
  prototype: {
    parseFor(this: unknown): AstNode;
    parsePostfix(this: ParserThis, node: AstNode): AstNode;
  };
}
interface ParserThis {
  peekToken(): { type: string; value: string; lineno: number; colno: number } | null;
  nextToken(): unknown;
  skip(type: string): boolean;
  expect(type: string): unknown;
  parseExpression(): AstNode;
  parseSignature(): AstNode;
  fail(message: string, lineno?: number, colno?: number): never;
}
const parser = (nunjucks as unknown as { parser: { Parser: ParserClass } }).parser;
const ast = (nunjucks as unknown as { nodes: Record<'InlineIf' | 'For' | 'Set' | 'If' | 'FunCall' | 'LookupVal' | 'Symbol' | 'Literal' | 'Array' | 'NodeList' | 'Output', NodeClass> }).nodes;

// `s[1:]`, `l[:-1]`, `s[a:b:c]`: Python's slices, which Nunjucks does not parse. A subscript
// with a colon becomes a call of __sf_slice(value, start, stop, step); one without stays a lookup.
const lexer = (nunjucks as unknown as { lexer: Record<string, string> }).lexer;
// Nunjucks' own loop (3.2.4), with the subscript read as Jinja reads it.
parser.Parser.prototype.parsePostfix = function parseSlices(node) {
  for (let tok = this.peekToken(); tok; tok = this.peekToken()) {
    const { lineno: l, colno: c } = tok;
    if (tok.type === lexer['TOKEN_LEFT_PAREN']) {
      node = new ast.FunCall(l, c, node, this.parseSignature());
    } else if (tok.type === lexer['TOKEN_LEFT_BRACKET']) {
      this.nextToken();
      const parts: (AstNode | null)[] = [null];
      for (let next = this.peekToken(); next && next.type !== lexer['TOKEN_RIGHT_BRACKET']; next = this.peekToken()) {
        if (next.type === lexer['TOKEN_COLON']) {
          this.nextToken();
          parts.push(null);
        } else if (parts[parts.length - 1] === null && parts.length <= 3) {
          parts[parts.length - 1] = this.parseExpression();
        } else {
          this.fail('invalid index', next.lineno, next.colno);
        }
      }
      this.expect(lexer['TOKEN_RIGHT_BRACKET']!);
      const none = () => new ast.Literal(l, c, null);
      if (parts.length === 1 && parts[0] === null) this.fail('invalid index', l, c);
      node = parts.length === 1
        ? new ast.LookupVal(l, c, node, parts[0]!)
        : new ast.FunCall(l, c, new ast.Symbol(l, c, '__sf_slice'), new ast.NodeList(l, c, [node, parts[0] ?? none(), parts[1] ?? none(), parts[2] ?? none()]));
    } else if (tok.type === lexer['TOKEN_OPERATOR'] && tok.value === '.') {
      this.nextToken();
      const name = this.nextToken() as { type: string; value: string; lineno: number; colno: number };
      if (name.type !== lexer['TOKEN_SYMBOL']) this.fail(`expected name as lookup value, got ${name.value}`, name.lineno, name.colno);
      node = new ast.LookupVal(l, c, node, new ast.Literal(name.lineno, name.colno, name.value));
    } else {
      break;
    }
  }
  return node;
};

/** Python's value[start:stop:step] on a string or a list. */
export function pySlice(value: unknown, start: number | null, stop: number | null, step: number | null): unknown {
  const seq = typeof value === 'string' ? [...value] : Array.isArray(value) ? value : [];
  const n = seq.length;
  const by = step ?? 1;
  if (by === 0) throw new Error('slice step cannot be zero');
  const clamp = (i: number, lo: number, hi: number) => Math.min(Math.max(i < 0 ? i + n : i, lo), hi);
  const out: unknown[] = [];
  if (by > 0) for (let i = clamp(start ?? 0, 0, n); i < clamp(stop ?? n, 0, n); i += by) out.push(seq[i]);
  else for (let i = start === null ? n - 1 : clamp(start, -1, n - 1); i > (stop === null ? -1 : clamp(stop, -1, n - 1)); i += by) out.push(seq[i]);
  return typeof value === 'string' ? out.join('') : out;
}
let filteredLoops = 0;
const parseFor = parser.Parser.prototype.parseFor;
parser.Parser.prototype.parseFor = function parseFilteredFor() {
  const node = parseFor.call(this);
  const arr = node['arr'] as AstNode;
  if (!(node instanceof ast.For) || !(arr instanceof ast.InlineIf) || arr['else_']) return node;
  const { lineno: l, colno: c } = node;
  const list = () => new ast.Symbol(l, c, `__sf_filtered_${filteredLoops}`);
  filteredLoops++;
  const items = list();
  const append = new ast.FunCall(l, c, new ast.LookupVal(l, c, items, new ast.Literal(l, c, 'append')), new ast.NodeList(l, c, [node['name']]));
  // Printed through __sf_silent: append's None would print `None`.
  const silent = new ast.FunCall(l, c, new ast.Symbol(l, c, '__sf_silent'), new ast.NodeList(l, c, [append]));
  const collect = new ast.For(l, c, arr['body'], node['name'], new ast.NodeList(l, c, [new ast.If(l, c, arr['cond'], new ast.NodeList(l, c, [new ast.Output(l, c, [silent])]), null)]), null);
  const loop = new ast.For(l, c, items, node['name'], node['body'], node['else_']);
  return new ast.NodeList(l, c, [new ast.Set(l, c, [list()], new ast.Array(l, c, [])), collect, loop]);
};

// A tuple, `('a', 'b')`, is a list; Nunjucks would give its last element (JavaScript's comma).
const compileGroup = compiler.Compiler.prototype.compileGroup;
compiler.Compiler.prototype.compileGroup = function compileTuple(node, frame) {
  if (node.children.length > 1) {
    this._emit('runtime.sfTuple(');
    this._compileAggregate(node, frame, '[', ']');
    this._emit(')');
  } else compileGroup.call(this, node, frame);
};


// `a + b`, `a - b`: dates and timedeltas (modules.datetime) as Python adds them.
const runtimeOps = runtime as unknown as Record<string, unknown>;
runtimeOps['sfPyAdd'] = pyAdd;
runtimeOps['sfPySub'] = pySub;
const operator = (helper: string) => function compileOperator(this: CompilerProto, node: { left: unknown; right: unknown }, frame: unknown) {
  this._emit(`runtime.${helper}(`);
  this.compile(node.left, frame);
  this._emit(', ');
  this.compile(node.right, frame);
  this._emit(')');
};
compiler.Compiler.prototype.compileAdd = operator('sfPyAdd');
compiler.Compiler.prototype.compileSub = operator('sfPySub');

// Printing and `~` as Jinja does them (py-print.ts).
runtimeOps['sfTuple'] = pyTuple;
const suppressValue = runtimeOps['suppressValue'] as (val: unknown, autoescape: boolean) => unknown;
runtimeOps['suppressValue'] = (val: unknown, autoescape: boolean) => suppressValue(pyPrintable(val), autoescape);
runtimeOps['sfConcat'] = (a: unknown, b: unknown) => `${String(pyPrintable(a))}${String(pyPrintable(b))}`;
// `a == b`, `a != b`: Python's equality (lists and dicts by their items); chains as Nunjucks compiles them.
runtimeOps['sfEq'] = pyEquals;
const compileCompare = compiler.Compiler.prototype.compileCompare;
compiler.Compiler.prototype.compileCompare = function compilePyCompare(node, frame) {
  const op = node.ops.length === 1 ? node.ops[0]!.type : undefined;
  if (op !== '==' && op !== '!=') return compileCompare.call(this, node, frame);
  this._emit(op === '==' ? 'runtime.sfEq(' : '!runtime.sfEq(');
  this.compile(node.expr, frame);
  this._emit(', ');
  this.compile(node.ops[0]!.expr, frame);
  this._emit(')');
};
compiler.Compiler.prototype.compileConcat = operator('sfConcat');

// Python's truth: None, False, 0, '' and empty lists and dicts are false (JavaScript holds [] and
// {} true, so `{% if exclude and include %}` with two empty lists would pass). `a and b` / `a or
// b` give an operand, as in Python, evaluating the right one only when needed.
function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (value !== null && typeof value === 'object') {
    if (value instanceof String) return value.length > 0;
    return Object.getPrototypeOf(value) !== Object.prototype || Object.keys(value).length > 0;
  }
  return Boolean(value);
}
runtimeOps['sfTruthy'] = pyTruthy;
const proto = compiler.Compiler.prototype;
const compileIf = proto.compileIf;
proto.compileIf = function compilePyIf(node, frame, async) {
  const own = this as CompilerProto & { _compileExpression: CompilerProto['_compileExpression'] };
  const expression = own._compileExpression;
  own._compileExpression = function truthOfCondition(n, f) {
    if (n !== node.cond) return expression.call(this, n, f);
    this._emit('runtime.sfTruthy(');
    expression.call(this, n, f);
    this._emit(')');
  };
  try {
    compileIf.call(this, node, frame, async);
  } finally {
    own._compileExpression = expression;
  }
};
proto.compileInlineIf = function compilePyInlineIf(node, frame) {
  this._emit('(runtime.sfTruthy(');
  this.compile(node.cond, frame);
  this._emit(') ? ');
  this.compile(node.body, frame);
  this._emit(' : ');
  if (node.else_ !== null) this.compile(node.else_, frame);
  else this._emit('""');
  this._emit(')');
};
const shortCircuit = (left: string, right: string) => function compileShortCircuit(this: CompilerProto, node: { left: unknown; right: unknown }, frame: unknown) {
  this._emit('(function (sfLeft) { return ');
  this._emit(left);
  this.compile(node.right, frame);
  this._emit(right);
  this._emit('; })(');
  this.compile(node.left, frame);
  this._emit(')');
};
proto.compileAnd = shortCircuit('runtime.sfTruthy(sfLeft) ? (', ') : sfLeft');
proto.compileOr = shortCircuit('runtime.sfTruthy(sfLeft) ? sfLeft : (', ')');
proto.compileNot = function compilePyNot(node, frame) {
  this._emit('!runtime.sfTruthy(');
  this.compile(node.target, frame);
  this._emit(')');
};

// `{name: 1}`: Jinja reads the key `name` as a variable (dbt_utils keys dicts by relation);
// Nunjucks took it as the string 'name'. A literal key stays as written, and so do the names
// of keyword arguments (`f(name=1)`, which Nunjucks compiles as a dict).
const literal = (nunjucks as unknown as { nodes: { Literal: new (...a: unknown[]) => object } }).nodes.Literal;
const compilePair = proto.compilePair;
const compileKeywordArgs = proto.compileKeywordArgs;
proto.compileKeywordArgs = function compileNamedArgs(node, frame) {
  for (const pair of node.children) pair.sfKeyword = true;
  compileKeywordArgs.call(this, node, frame);
};
proto.compilePair = function compilePyPair(node, frame) {
  if (node.sfKeyword) return compilePair.call(this, node, frame);
  if (node.key instanceof literal && typeof node.key.value === 'string') this.compile(node.key, frame);
  else {
    this._emit('[String(');
    this.compile(node.key, frame);
    this._emit(')]');
  }
  this._emit(': ');
  this._compileExpression(node.value, frame);
};

const compile = compiler.compile;
compiler.compile = (src: string, ...rest: unknown[]) => withMacroExtras(withMacroReturns(compile(dropTrailingCommas(src), ...rest)));

// A {% call %} block's body (frame.push(true), ended by frame.pop()) is left as it is.
const MACRO_START = /var callerFrame = frame;\n(frame = (?:new runtime\.Frame\(\)|callerFrame\.push\(true\));)/g;
const MACRO_END = /frame = callerFrame;\nreturn new runtime\.SafeString\((t_\d+)\);\n\}\);/g;

/** A top-level macro's assignment: Nunjucks leaves names starting with `_` out of the exports. */
const PRIVATE_MACRO = /context\.setVariable\("(_[A-Za-z0-9_]*)", (macro_t_\d+)\);/g;

function withMacroReturns(code: string): string {
  return code
    .replace(PRIVATE_MACRO, 'context.addExport("$1");\ncontext.setVariable("$1", $2);')
    .replace(MACRO_START, 'var callerFrame = frame;\ntry {\n$1')
    .replace(MACRO_END, 'frame = callerFrame;\nreturn new runtime.SafeString($1);\n} catch (e) { frame = callerFrame; if (e && e.__sfMacroReturn) return e.value; throw e; }\n});');
}

/**
 * `[1, 2,]`, `{'a': 1,}`, `f(a,)` inside `{{ }}` and `{% %}` become `[1, 2]`, ...: the comma is
 * replaced by a space (lines and columns stay). Strings and the SQL outside tags are untouched.
 */
export function dropTrailingCommas(src: string): string {
  if (!src.includes(',')) return src;
  let out = '';
  let i = 0;
  while (i < src.length) {
    const open = src.slice(i).search(/\{\{|\{%/);
    if (open < 0) return out + src.slice(i);
    out += src.slice(i, i + open + 2);
    i += open + 2;
    const closer = src[i - 1] === '{' ? '}}' : '%}';
    // Inside a tag: copy up to its closer, skipping strings, dropping a comma before ] } ).
    let quote: string | undefined;
    let pendingComma = -1;
    while (i < src.length) {
      const c = src[i]!;
      if (quote) {
        if (c === '\\') {
          out += src.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") {
        quote = c;
        pendingComma = -1;
      } else if (src.startsWith(closer, i) || (closer === '%}' && src.startsWith('-%}', i)) || (closer === '}}' && src.startsWith('-}}', i))) {
        break;
      } else if (c === ',') {
        pendingComma = out.length;
      } else if ((c === ']' || c === '}' || c === ')') && pendingComma >= 0) {
        out = `${out.slice(0, pendingComma)} ${out.slice(pendingComma + 1)}`;
        pendingComma = -1;
      } else if (!/\s/.test(c)) {
        pendingComma = -1;
      }
      out += c;
      i++;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------

/** `{% do expr %}`: evaluate, print nothing. */
class DoExtension {
  readonly tags = ['do'];
  parse(parser: any, nodes: any): unknown {
    const tag = parser.nextToken();
    const args = new nodes.NodeList(tag.lineno, tag.colno);
    args.addChild(parser.parseExpression());
    parser.advanceAfterBlockEnd(tag.value);
    return new nodes.CallExtension(this, 'run', args);
  }
  run(_context: unknown, _value: unknown): string {
    return '';
  }
}

/** Python's json.dumps layout (`{"a": 1, "b": [1, 2]}`), as dbt's tojson prints. */
export function toJson(value: unknown, indent?: number): string {
  if (indent) return JSON.stringify(value, null, indent) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v)).join(', ')}]`;
  if (value !== null && typeof value === 'object' && !('toJSON' in value)) {
    return `{${Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}: ${toJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The Jinja dbt writes, on `env`: the globals, filters and tags above. `onClock`: a template read the time. */
export function installJinjaCompat(env: nunjucks.Environment, onClock?: () => void): void {
  env.addGlobal('modules', pyModules(onClock));
  env.addGlobal('True', true);
  env.addGlobal('False', false);
  env.addGlobal('None', null);
  env.addGlobal('__sf_slice', pySlice);
  env.addGlobal('__sf_star', starArgs);
  env.addGlobal('__sf_silent', () => '');
  env.addGlobal('set', pySet);
  env.addGlobal('namespace', namespace);
  // dbt's print(): sf keeps templates' output to the SQL; nothing is printed.
  env.addGlobal('print', () => '');
  env.addGlobal('return', (value: unknown) => {
    throw Object.assign(new MacroReturn(value), { __sfMacroReturn: true });
  });
  env.addGlobal('tojson', (value: unknown) => toJson(value));
  env.addGlobal('fromjson', (text: string, fallback: unknown = null) => {
    try {
      return JSON.parse(text);
    } catch {
      return fallback;
    }
  });
  env.addFilter('tojson', (value: unknown, indent?: number) => toJson(value, indent));
  env.addFilter('fromjson', (text: string) => JSON.parse(text));
  env.addExtension('DoExtension', new DoExtension());
  installJinjaFilters(env);
}
