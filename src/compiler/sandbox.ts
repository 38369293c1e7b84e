// Nunjucks is not a sandbox: `{{ range.constructor("return process.env")() }}` reaches the
// Function constructor and runs any JavaScript, which would let a template read secrets (or
// anything else) behind every check. Member and name lookups of the names that lead there
// throw instead. Nothing a model needs goes through them.
import nunjucks from 'nunjucks';

interface Runtime {
  memberLookup: (obj: unknown, name: unknown) => unknown;
  contextOrFrameLookup: (context: unknown, frame: unknown, name: string) => unknown;
}

const FORBIDDEN = new Set([
  'constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', 'caller', 'callee',
]);

const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
const memberLookup = runtime.memberLookup;
const contextOrFrameLookup = runtime.contextOrFrameLookup;

function refuse(name: string): never {
  throw new Error(`'${name}' cannot be used in a template: it reaches JavaScript internals, not data`);
}

runtime.memberLookup = (obj, name) => (FORBIDDEN.has(String(name)) ? refuse(String(name)) : memberLookup(obj, name));
// `caller` as a name is the block a {% call %} passes its macro (a frame variable), not Function.caller.
runtime.contextOrFrameLookup = (context, frame, name) => (FORBIDDEN.has(name) && name !== 'caller' ? refuse(name) : contextOrFrameLookup(context, frame, name));
