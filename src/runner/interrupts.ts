// On Ctrl-C the CLI asks the engines to stop their running statements at once: DuckDB's run
// in native threads that keep the process alive until they end; a PostgreSQL backend would go
// on (holding its locks) until its statement ends. Stopped, the statement fails and its
// transaction is never committed.
const hooks = new Set<() => void | Promise<void>>();
let requested = false;

/** True once an interrupt was asked for: no unit may commit after it (executeUnit checks). */
export function interruptRequested(): boolean {
  return requested;
}

/** Register a way to stop running queries; returns its removal. */
export function onInterrupt(hook: () => void | Promise<void>): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** Stops what runs, waiting at most `withinMs`: stopping is best effort, the process exits next. */
export async function interruptRunningQueries(withinMs = 2000): Promise<void> {
  requested = true;
  await cancelRunningQueries(withinMs);
}

/**
 * Cancels the statements running now without marking the process interrupted (--fail-fast:
 * the run ends on its own, with its account). A process runs one build at a time, so these
 * are that build's statements.
 */
export async function cancelRunningQueries(withinMs = 2000): Promise<void> {
  const all = [...hooks].map(async (hook) => {
    try {
      await hook();
    } catch {
      // best effort
    }
  });
  await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, withinMs).unref())]);
}
