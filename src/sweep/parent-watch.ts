/**
 * A child process that works for a parent (the local pool's controller, a queue worker)
 * must not outlive it: an orphan would keep training a cell that a re-run or another
 * worker then starts again. Training is synchronous between checkpoints, so no event
 * fires while it runs; instead the cell calls the returned check at every step, which
 * exits when the process has been re-parented. A closed IPC channel also ends it.
 */
let watching = false;

export function exitWithParent(): () => void {
  const parent = process.ppid;
  // Once per process: a queue worker's sandboxed child runs many cells.
  if (!watching) process.on('disconnect', () => process.exit(75));
  watching = true;
  return () => {
    if (process.ppid !== parent) process.exit(75);
  };
}
