// The partition ledger as warehouse state: read before planning, so the plan stays a pure
// function of (graph, selection, state, options).
import { sql } from 'kysely';
import { relationKey, type Adapter, type WarehouseState } from '../adapters/types.js';
import { LEDGER, ledgerReadSql, type LedgerEntry } from '../plan/ledger.js';

/** Entries by model relation key; empty when the ledger does not exist yet. */
export async function readLedger(adapter: Adapter, state: WarehouseState, relations: readonly string[]): Promise<Map<string, LedgerEntry[]>> {
  const byRelation = new Map<string, LedgerEntry[]>();
  if (!state.has(relationKey(LEDGER))) return byRelation;
  const result = await sql.raw<Record<string, unknown>>(ledgerReadSql(adapter.dialect, relations)).execute(adapter.db);
  for (const r of result.rows) {
    const entry: LedgerEntry = {
      relation: String(r['relation_name']),
      model: String(r['model_name']),
      partition: String(r['partition_key']),
      rows: r['row_count'] === null ? null : Number(r['row_count']),
      checksum: r['checksum'] === null ? null : String(r['checksum']),
      runId: String(r['run_id']),
      startedAt: String(r['started_at']),
      finishedAt: String(r['finished_at']),
      status: r['status'] === 'success' ? 'success' : 'failed',
      attempts: Number(r['attempts']),
      error: r['error'] === null ? null : String(r['error']),
    };
    const list = byRelation.get(entry.relation) ?? [];
    list.push(entry);
    byRelation.set(entry.relation, list);
  }
  return byRelation;
}
