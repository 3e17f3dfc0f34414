/**
 * `clipdex worker [--concurrency N]` — distributed mode (REDIS_URL + a PostgreSQL DATABASE_URL):
 * take ingest, re-embed, OCR and evaluate slices off the queue until stopped. Start as many as the machines allow; each uses
 * CLIPDEX_THREADS inference threads. SIGINT/SIGTERM finish the slices in hand, then exit 0
 * (a second SIGINT quits at once; an unfinished slice is retried by another worker).
 */
import type { Command } from 'commander';
import { onInterrupt } from '../interrupt';
import { command, intOption } from '../output';

export function registerWorkerCommand(program: Command): Command {
  return program
    .command('worker')
    .description('distributed mode: run a stateless worker that takes ingest, re-embed, OCR and evaluate work from the queue on Redis (needs REDIS_URL and a PostgreSQL DATABASE_URL; docs/SCALING.md)')
    .option('-c, --concurrency <n>', 'slices worked on at once in this process (each uses CLIPDEX_THREADS inference threads)', intOption('--concurrency', 1, 64), 1)
    .action(command(async (flags: { concurrency: number }) => {
      const { startWorker } = await import('../../lib/distributed/worker');
      const log = (m: string) => process.stderr.write(`clipdex worker: ${m}\n`);
      const w = await startWorker({ concurrency: flags.concurrency, log });
      log(`${w.name} ready (model ${w.deps.model.info.id}, concurrency ${flags.concurrency}, ${w.deps.config.threads} inference threads, queue "${w.deps.config.queue}")`);
      await new Promise<void>((resolve) => {
        const stop = async () => {
          log('stopping after the slices in hand');
          await w.close();
          resolve();
        };
        onInterrupt(stop, 'after the slices in hand');
        process.once('SIGTERM', () => void stop());
      });
    }));
}
