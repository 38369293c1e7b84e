// Fault injection for the crash tests (conformance/crash.test.ts) and the fault suite (testing/faults.ts): with SF_FAULT_KILL_AT=N the
// process kills itself (SIGKILL, no cleanup) at the N-th point inside a unit's transaction —
// before each statement and before the commit — so tests can prove that a crash anywhere leaves
// the table and the ledger as they were. Unset (always, outside those tests): does nothing.
const killAt = Number(process.env['SF_FAULT_KILL_AT'] ?? 0);
let reached = 0;
// SF_FAULT_COUNT: say how many points the command passed (the fault suite draws its kill points from it).
if (process.env['SF_FAULT_COUNT']) process.on('exit', () => process.stderr.write(`SF_FAULT_POINTS=${reached}\n`));

export function faultPoint(what: string): void {
  reached++;
  if (killAt > 0 && reached === killAt) {
    process.stderr.write(`SF_FAULT_KILL_AT=${killAt}: killing the process at: ${what.split('\n')[0]!.slice(0, 80)}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
