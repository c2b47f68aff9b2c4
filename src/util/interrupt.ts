/**
 * Work to undo when the process is interrupted (Ctrl-C, kill): library code registers it
 * while it holds something half-made (a temporary directory) and unregisters it when done.
 * Signal handlers are installed only while something is registered: the rest of the time
 * SIGINT and SIGTERM keep their default action, so a CPU-bound loop (training) that never
 * yields to the event loop still stops at once. On a signal the cleanups run, the handlers
 * are removed and the signal is raised again, ending the process the default way; library
 * code never calls process.exit.
 */
const cleanups = new Set<() => void>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function onSignal(signal: NodeJS.Signals): void {
  runInterruptCleanups();
  process.kill(process.pid, signal);
}

function setHandlers(on: boolean): void {
  for (const signal of SIGNALS) {
    if (on) process.on(signal, onSignal);
    else process.off(signal, onSignal);
  }
}

/** Registers `cleanup` to run on an interrupt; returns the function that unregisters it. */
export function onInterrupt(cleanup: () => void): () => void {
  if (cleanups.size === 0) setHandlers(true);
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0) setHandlers(false);
  };
}

/** Runs every registered cleanup once (each one's failure is its own: the others still run). */
function runInterruptCleanups(): void {
  const pending = [...cleanups];
  cleanups.clear();
  setHandlers(false);
  for (const cleanup of pending) {
    try {
      cleanup();
    } catch {
      // Interrupted already: a cleanup that cannot finish leaves its temporary name behind,
      // which the next run removes (data build's removeStaleTemps).
    }
  }
}
