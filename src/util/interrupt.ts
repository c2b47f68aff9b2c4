/**
 * Work to undo when the process is interrupted (Ctrl-C, kill): library code registers it
 * while it holds something half-made (a temporary directory) and unregisters it when done.
 * The CLI owns the process: it runs the cleanups on SIGINT/SIGTERM, then exits. Library
 * code never exits the process itself.
 */
const cleanups = new Set<() => void>();

/** Registers `cleanup` to run on an interrupt; returns the function that unregisters it. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered cleanup once (each one's failure is its own: the others still run). */
export function runInterruptCleanups(): void {
  const pending = [...cleanups];
  cleanups.clear();
  for (const cleanup of pending) {
    try {
      cleanup();
    } catch {
      // Interrupted already: a cleanup that cannot finish leaves its temporary name behind,
      // which the next run removes (data build's removeStaleTemps).
    }
  }
}
