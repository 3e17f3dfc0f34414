/**
 * `clipdex reindex` — embed what the active model has no vector for (from the stored originals,
 * after a model change), then rebuild both HNSW indexes from the stored vectors.
 */
import type { Command } from 'commander';
import { startReindexJob, subscribe } from '../../lib/jobs';
import { openEngine } from '../engine-cli';
import { fail, progressBar } from '../output';

export function registerReindexCommand(program: Command): Command {
  return program
    .command('reindex')
    .description('re-embed items lacking a vector for the active model, then rebuild the indexes from stored vectors')
    .option('--no-progress', 'no progress bar')
    .action(async (flags: { progress: boolean }) => {
      const bar = progressBar('reindex', flags.progress && process.stderr.isTTY === true);
      try {
        const engine = await openEngine();
        const job = await startReindexJob(engine);
        const off = subscribe(job.id, (e) => {
          if (e.type === 'progress') bar.update({ ...e, label: e.message ?? 'reindex' });
        });
        const outcome = await job.done;
        off();
        bar.stop();
        if ('error' in outcome) return fail(outcome.error);
        process.stdout.write(`${outcome.message}\n`);
        if (outcome.result.errors) process.stderr.write(`${outcome.result.errors} stored originals could not be re-embedded (see the job's errors)\n`);
      } catch (err) {
        bar.stop();
        fail(err);
      }
    });
}
