// Globals whose value is read at each use rather than fixed when set: `execute` (false in a
// first render, true after), `invocation_id` and `run_started_at` (a render reading them is
// not kept in the render cache). A variable of the same name set by the template wins.
import nunjucks from 'nunjucks';

type Lookup = (context: { ctx: Record<string, unknown> }, frame: { lookup(n: string): unknown }, name: string) => unknown;
const runtime = (nunjucks as unknown as { runtime: { contextOrFrameLookup: Lookup } }).runtime;
const dynamic = new Map<string, () => unknown>();
const lookup = runtime.contextOrFrameLookup;
runtime.contextOrFrameLookup = (context, frame, name) => {
  const read = dynamic.get(name);
  if (read && frame.lookup(name) === undefined && !(name in context.ctx)) return read();
  return lookup(context, frame, name);
};

/** `name` reads `read()` wherever a template uses it (the last registration wins). */
export function dynamicGlobal(name: string, read: () => unknown): void {
  dynamic.set(name, read);
}
