/**
 * Ctrl-C for commands that run a job: the first SIGINT asks the work to stop cleanly (`stop`),
 * a second one exits at once with 130 (what a shell reports for a SIGINT), as users expect.
 */
export interface Interrupt {
  /** Stop listening (the work ended). */
  dispose(): void;
}

export const INTERRUPTED_EXIT_CODE = 130;

export function onInterrupt(stop: () => Promise<unknown>, what: string): Interrupt {
  let requested = false;
  const handler = () => {
    if (requested) {
      process.stderr.write('\nclipdex: stopped at once\n');
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    requested = true;
    process.stderr.write(`\nclipdex: stopping ${what}; press Ctrl-C again to quit at once\n`);
    stop().catch((err) => process.stderr.write(`clipdex: could not stop cleanly: ${(err as Error).message}\n`));
  };
  process.on('SIGINT', handler);
  return { dispose: () => void process.off('SIGINT', handler) };
}
