// Jinja's calls where Nunjucks 3.2.4 differs, as dbt packages write them (loaded with
// jinja-compat.ts, which the tests check against):
//   - f(*items), f(**options)        a list spread as positional, a dict as keyword arguments
//   - varargs, kwargs in a macro     the positional and keyword arguments it did not declare
//   - 'a \<newline> b'               a backslash before a line break continues the string
//   - a call on a literal holding a line break compiles (its name is only for messages)
//   - namespace(k=v) and {% set ns.k = v %}        Jinja's way to change a value from inside a loop
import nunjucks from 'nunjucks';

type Node = { lineno: number; colno: number; value?: unknown; typename?: string; [k: string]: unknown };
interface CompilerThis {
  _tmpid(): string;
  _emit(code: string): void;
  _emitLine(code: string): void;
  _compileExpression(node: unknown, frame: unknown): void;
  compile(node: unknown, frame: unknown): void;
}
type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => Node & { addChild(n: Node): void; children: Node[] };
interface Token { type: string; value: string; lineno: number; colno: number }
interface ParserThis {
  peekToken(): Token;
  nextToken(): Token;
  skip(type: string): boolean;
  skipValue(type: string, value: string): boolean;
  fail(message: string, lineno?: number, colno?: number): never;
  parseExpression(): Node;
}

const nj = nunjucks as unknown as {
  lexer: Record<string, string> & { lex(src: string): object };
  nodes: Record<'NodeList' | 'KeywordArgs' | 'Pair' | 'Literal' | 'FunCall' | 'Symbol', NodeClass>;
  parser: { Parser: { prototype: { parseSignature(this: ParserThis, tolerant?: boolean, noParens?: boolean): Node | null } } };
  compiler: { Compiler: { prototype: { _getNodeName(node: unknown): string; compileSet(this: CompilerThis, node: Node & { targets: Node[]; value: Node | null; body: Node | null }, frame: unknown): void } } };
  runtime: Record<string, unknown>;
};
const { lexer, nodes, runtime } = nj;

/** A `*items` argument, expanded where the call is made. */
class StarArgs {
  constructor(readonly values: unknown[]) {}
}
const SPREAD_KWARGS = '__sf_spread_kwargs_';
let spreads = 0;

// Nunjucks' parseSignature, with `*expr` and `**expr` arguments.
nj.parser.Parser.prototype.parseSignature = function parseSpreadSignature(tolerant, noParens) {
  let tok = this.peekToken();
  if (!noParens && tok.type !== lexer['TOKEN_LEFT_PAREN']) {
    if (tolerant) return null;
    this.fail('expected arguments', tok.lineno, tok.colno);
  }
  if (tok.type === lexer['TOKEN_LEFT_PAREN']) tok = this.nextToken();
  const args = new nodes.NodeList(tok.lineno, tok.colno);
  const kwargs = new nodes.KeywordArgs(tok.lineno, tok.colno);
  let checkComma = false;
  for (;;) {
    tok = this.peekToken();
    if (!noParens && tok.type === lexer['TOKEN_RIGHT_PAREN']) {
      this.nextToken();
      break;
    } else if (noParens && tok.type === lexer['TOKEN_BLOCK_END']) {
      break;
    }
    if (checkComma && !this.skip(lexer['TOKEN_COMMA']!)) this.fail('parseSignature: expected comma after expression', tok.lineno, tok.colno);
    tok = this.peekToken();
    const spread = tok.type === lexer['TOKEN_OPERATOR'] && (tok.value === '*' || tok.value === '**') ? tok.value : undefined;
    if (spread) this.nextToken();
    const arg = this.parseExpression();
    if (spread === '**') {
      kwargs.addChild(new nodes.Pair(arg.lineno, arg.colno, new nodes.Literal(arg.lineno, arg.colno, `${SPREAD_KWARGS}${spreads++}`), arg));
    } else if (spread === '*') {
      args.addChild(new nodes.FunCall(arg.lineno, arg.colno, new nodes.Symbol(arg.lineno, arg.colno, '__sf_star'), new nodes.NodeList(arg.lineno, arg.colno, [arg])));
    } else if (this.skipValue(lexer['TOKEN_OPERATOR']!, '=')) {
      kwargs.addChild(new nodes.Pair(arg.lineno, arg.colno, arg, this.parseExpression()));
    } else {
      args.addChild(arg);
    }
    checkComma = true;
  }
  if (kwargs.children.length) args.addChild(kwargs);
  return args;
};

const makeKeywordArgs = runtime['makeKeywordArgs'] as (obj: Record<string, unknown>) => Record<string, unknown>;
runtime['makeKeywordArgs'] = (obj: Record<string, unknown>) => {
  for (const key of Object.keys(obj)) {
    if (!key.startsWith(SPREAD_KWARGS)) continue;
    const spread = obj[key];
    delete obj[key];
    if (spread && typeof spread === 'object') Object.assign(obj, spread);
  }
  return makeKeywordArgs(obj);
};
const callWrap = runtime['callWrap'] as (obj: unknown, name: string, context: unknown, args: unknown[]) => unknown;
runtime['callWrap'] = (obj: unknown, name: string, context: unknown, args: unknown[]) =>
  callWrap(obj, name, context, args.some((a) => a instanceof StarArgs) ? args.flatMap((a) => (a instanceof StarArgs ? a.values : [a])) : args);

/** The `varargs` and `kwargs` of the macro call starting now (read by its first lines). */
let pendingExtras: { varargs: unknown[]; kwargs: Record<string, unknown> } | undefined;
const isKeywords = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, '__keywords');

// Nunjucks' makeMacro, keeping what Jinja keeps: positional arguments past the declared ones
// (varargs) and keyword arguments no parameter names (kwargs).
runtime['makeMacro'] = (argNames: string[], kwargNames: string[], func: (...a: unknown[]) => unknown) => function macro(this: unknown, ...macroArgs: unknown[]) {
  const kwargs: Record<string, unknown> = isKeywords(macroArgs[macroArgs.length - 1]) ? { ...(macroArgs[macroArgs.length - 1] as Record<string, unknown>) } : { __keywords: true };
  const positional = isKeywords(macroArgs[macroArgs.length - 1]) ? macroArgs.slice(0, -1) : macroArgs;
  const args = positional.slice(0, argNames.length);
  positional.slice(argNames.length, argNames.length + kwargNames.length).forEach((value, i) => {
    kwargs[kwargNames[i]!] = value;
  });
  // A parameter without a default, given by name.
  for (let i = args.length; i < argNames.length; i++) {
    args.push(kwargs[argNames[i]!]);
    delete kwargs[argNames[i]!];
  }
  const declared = new Set([...argNames, ...kwargNames, 'caller', '__keywords']);
  pendingExtras = {
    varargs: positional.slice(argNames.length + kwargNames.length),
    kwargs: Object.fromEntries(Object.entries(kwargs).filter(([k]) => !declared.has(k))),
  };
  return func.apply(this, [...args, kwargs]);
};
runtime['sfMacroExtras'] = (frame: { set(name: string, value: unknown): void }) => {
  frame.set('varargs', pendingExtras?.varargs ?? []);
  frame.set('kwargs', pendingExtras?.kwargs ?? {});
  pendingExtras = undefined;
};

/** Inserts the reading of varargs and kwargs at the start of each compiled macro. */
export function withMacroExtras(code: string): string {
  return code.replace(/\nkwargs = kwargs \|\| \{\};\n/g, '\nkwargs = kwargs || {};\nruntime.sfMacroExtras(frame);\n');
}

/** The `__sf_star` global: marks a list to spread. */
export const starArgs = (values: unknown) => new StarArgs(Array.isArray(values) ? values : values === null || values === undefined ? [] : [...(values as Iterable<unknown>)]);

// A backslash before a line break continues the string (Python's rule, which Jinja follows).
// The tokenizer's class is not exported: reached through a tokenizer.
const tokenizer = Object.getPrototypeOf(nj.lexer.lex('')) as Record<string, unknown>;
const parseString = tokenizer['_parseString'] as (this: TokenizerThis, delimiter: string) => string;
interface TokenizerThis { current(): string; forward(): void; isFinished(): boolean; index: number; str: string }
tokenizer['_parseString'] = function parseContinuedString(this: TokenizerThis, delimiter: string) {
  const start = this.index;
  const text = parseString.call(this, delimiter);
  const raw = this.str.slice(start + 1, this.index - 1);
  return raw.includes('\\\n') ? continued(raw) : text;
};

/** The string's value from its raw text, line continuations removed. */
function continued(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = raw[++i] ?? '';
    out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next === '\n' ? '' : next;
  }
  return out;
}

// The name a call's error message uses: a literal with a line break broke the compiled code.
const nodeName = nj.compiler.Compiler.prototype._getNodeName;
nj.compiler.Compiler.prototype._getNodeName = function safeNodeName(node: unknown) {
  return nodeName.call(this, node).replace(/[\r\n\u2028\u2029\\]/g, ' ');
};

// {% set ns.key = value %} (and the block form): an attribute of a namespace() is assigned.
const compileSet = nj.compiler.Compiler.prototype.compileSet;
nj.compiler.Compiler.prototype.compileSet = function compileAttributeSet(node, frame) {
  const [target] = node.targets;
  if (node.targets.length !== 1 || target?.typename !== 'LookupVal') return compileSet.call(this, node, frame);
  const id = this._tmpid();
  this._emit(`var ${id} = `);
  if (node.value) this._compileExpression(node.value, frame);
  else this.compile(node.body, frame);
  this._emitLine(';');
  this._emit('runtime.sfSetAttribute(');
  this._compileExpression(target['target'], frame);
  this._emit(', ');
  this._compileExpression(target['val'], frame);
  this._emitLine(`, ${id});`);
};
runtime['sfSetAttribute'] = (obj: unknown, key: unknown, value: unknown) => {
  if (!(obj instanceof Namespace)) throw new Error(`{% set x.${String(key)} = ... %} needs x to be a namespace(): write {% set x = namespace(${String(key)}=...) %} first`);
  (obj as unknown as Record<string, unknown>)[String(key)] = value;
};

/** Jinja's namespace(): an object whose attributes {% set ns.key = ... %} may change. */
class Namespace {}
export function namespace(...args: unknown[]): Namespace {
  const kw = args[args.length - 1];
  const values = kw && typeof kw === 'object' && (kw as Record<string, unknown>)['__keywords'] ? { ...(kw as Record<string, unknown>) } : {};
  delete values['__keywords'];
  return Object.assign(new Namespace(), values);
}
