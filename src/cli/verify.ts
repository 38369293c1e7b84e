// `sf verify`'s account: per model, equal or drifted, the partitions that differ with a few of
// their rows, and the ledger's disagreements with the tables. Exit 1 on any drift or failure.
import { openAdapter } from '../adapters/registry.js';
import type { LoadedProject } from '../session/project.js';
import { verifyModels, WHOLE_TABLE, type ModelVerdict, type VerifyRange } from '../session/verify.js';
import type { Printer } from './printer.js';
import { paint } from './style.js';

export async function runVerify(project: LoadedProject, selected: ReadonlySet<string>, range: VerifyRange | undefined, output: 'text' | 'json', p: Printer): Promise<number> {
  const adapter = await openAdapter(project.target, project.config.projectDir);
  try {
    const verdicts = await verifyModels(project, adapter, selected, range, output === 'text' ? (v) => printVerdict(p, v) : undefined);
    if (output === 'json') p.out(JSON.stringify(verdicts, null, 2));
    else {
      const n = (s: ModelVerdict['status']) => verdicts.filter((v) => v.status === s).length;
      p.out();
      p.out(`Verified ${verdicts.length} model${verdicts.length === 1 ? '' : 's'}: ${n('equal')} equal, ${n('drift')} drifted, ${n('error')} failed to rebuild, ${n('skipped')} skipped.`);
    }
    return verdicts.some((v) => v.status === 'drift' || v.status === 'error') ? 1 : 0;
  } finally {
    await adapter.close();
  }
}

function printVerdict(p: Printer, v: ModelVerdict): void {
  const rows = v.partitions.reduce((n, x) => n + x.published, 0);
  const head = `${v.model} (${v.relation}, ${v.how})`;
  const partitioned = v.partitions.some((x) => x.partition !== WHOLE_TABLE);
  const left = v.quarantined ? ` (${v.quarantined} quarantined row${v.quarantined === 1 ? '' : 's'} left out of the rebuild)` : '';
  const extent = `${partitioned ? `${v.partitions.length} partition${v.partitions.length === 1 ? '' : 's'}, ` : ''}${rows} rows${left}`;
  if (v.status === 'equal') return void p.out(`${paint.ok('EQUAL')} ${head}: ${extent}`);
  if (v.status === 'skipped') return void p.out(`${paint.skip('SKIP')} ${head}: ${v.notes.join('; ')}`);
  if (v.status === 'error') return void p.out(`${paint.error('ERROR')} ${head}: ${v.notes.join('; ')}`, 'error');
  p.out(`${paint.error('DRIFT')} ${head}: ${extent}`, 'error');
  for (const note of v.notes) p.out(`  ${note}`, 'error');
  const drifted = v.partitions.filter((x) => x.missing + x.extra + x.changed > 0);
  for (const x of drifted) {
    const where = x.partition === WHOLE_TABLE ? 'the table' : x.partition;
    p.out(`  ${where}: ${x.rebuilt} rows rebuilt, ${x.published} published: ${x.missing} missing, ${x.extra} extra, ${x.changed} changed`, 'error');
    for (const s of x.samples) p.out(`    ${s}`, 'error');
  }
  const equal = v.partitions.length - drifted.length;
  if (partitioned && equal > 0) p.out(`  ${equal} other partition${equal === 1 ? '' : 's'} equal`);
  for (const l of v.ledger) p.out(`  ledger: ${l}`, 'error');
}
