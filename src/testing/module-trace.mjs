// `node --import ./module-trace.mjs ...`: appends every module URL the process resolves to
// the file named by SF_MODULE_TRACE, so tests can see which drivers a command loads.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.SF_MODULE_TRACE) appendFileSync(process.env.SF_MODULE_TRACE, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
