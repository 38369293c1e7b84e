// The fault suite's judge (faults.ts compareStates): what it must flag after a kill.
import { describe, expect, it } from 'vitest';
import { compareStates, type State } from './fault-state.js';

const part = (rows: number, checksum: string) => ({ rows, checksum });
function state(parts: Record<string, Record<string, { rows: number; checksum: string }>>, extra: Partial<State> = {}): State {
  return {
    parts: new Map(Object.entries(parts).map(([rel, p]) => [rel, new Map(Object.entries(p))])),
    duplicates: [], ledgerProblems: [], catalog: new Set(Object.keys(parts)), ...extra,
  };
}

describe('the fault suite judge', () => {
  const before = state({ 'main.fact': { '2026-06-01': part(3, 'a'), '2026-06-02': part(2, 'b') } });
  const clean = state({ 'main.fact': { '2026-06-01': part(3, 'a'), '2026-06-02': part(4, 'c') } });

  it('accepts each partition old or new, mixed across partitions', () => {
    expect(compareStates(before, before, clean)).toEqual({ problems: [], rowsLost: 0 });
    expect(compareStates(clean, before, clean)).toEqual({ problems: [], rowsLost: 0 });
  });

  it('flags a partition that is neither (counting the rows lost), duplicates, the ledger, leftovers', () => {
    const half = state({ 'main.fact': { '2026-06-01': part(3, 'a'), '2026-06-02': part(1, 'x') }, 'main.fact__sf_stage': {} });
    const judged = compareStates({ ...half, duplicates: ['fact: 1 unique_key values appear twice or more'], ledgerProblems: ['the ledger says ...'] }, before, clean);
    expect(judged.rowsLost).toBe(3);
    expect(judged.problems).toEqual([
      'fact: 1 unique_key values appear twice or more',
      'the ledger says ...',
      "main.fact 2026-06-02: 1 rows, neither its 2 before nor the clean run's 4",
      'relations left behind: main.fact__sf_stage',
    ]);
  });

  it('same rows but another checksum is a change; a vanished partition loses its rows', () => {
    expect(compareStates(state({ 'main.fact': { '2026-06-01': part(3, 'z'), '2026-06-02': part(4, 'c') } }), before, clean).problems).toHaveLength(1);
    expect(compareStates(state({ 'main.fact': { '2026-06-02': part(4, 'c') } }), before, clean).rowsLost).toBe(3);
  });
});
