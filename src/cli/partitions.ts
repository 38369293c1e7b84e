// `sf ls --partitions`: the partition ledger of the selected models, as a table or JSON.
import { openAdapter } from '../adapters/registry.js';
import { ledgerKey, SF_SCHEMA } from '../plan/ledger.js';
import { readLedger } from '../session/ledger-state.js';
import type { LoadedProject } from '../session/project.js';
import type { Printer } from './printer.js';

export async function listPartitions(project: LoadedProject, selected: ReadonlySet<string>, output: 'text' | 'json', p: Printer): Promise<void> {
  const relations = project.compiled.models
    .filter((m) => selected.has(m.node.name) && m.settings.materialized === 'incremental')
    .map((m) => ledgerKey(m.relation));
  const adapter = await openAdapter(project.target, project.config.projectDir);
  try {
    const state = await adapter.introspect([SF_SCHEMA]);
    const ledger = relations.length ? await readLedger(adapter, state, relations) : new Map();
    const entries = [...ledger.values()].flat();
    if (output === 'json') {
      p.out(JSON.stringify(entries, null, 2));
      return;
    }
    if (entries.length === 0) {
      p.out('No partitions recorded for the selected models (only partitioned incremental models have any).');
      return;
    }
    const header = ['model', 'partition', 'rows', 'status', 'attempts', 'finished_at', 'checksum'];
    const rows = entries.map((e) => [e.model, e.partition, e.rows === null ? '' : String(e.rows), e.status, String(e.attempts), e.finishedAt, e.checksum ?? '']);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 2 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
    p.out(line(header));
    for (const r of rows) p.out(line(r));
    const failed = entries.filter((e) => e.status !== 'success').length;
    p.out(`${entries.length} partitions, ${entries.reduce((n, e) => n + (e.rows ?? 0), 0)} rows${failed ? `, ${failed} failed` : ''}`);
  } finally {
    await adapter.close();
  }
}
