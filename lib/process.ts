/** Process helpers shared by rooms that must tell a live writer from a dead one (jobs, store, index). */

/** Whether a process id is alive: signal 0 probes without delivering anything; EPERM means it exists under another user. */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
