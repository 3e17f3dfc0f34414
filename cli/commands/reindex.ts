/**
 * `clipdex reindex` — embed what the active model has no vector for (from the stored originals,
 * after a model change), then rebuild both HNSW indexes from the stored vectors.
 */
import type { Command } from 'commander';
import { openEngine } from '../engine-cli';
import { INTERRUPTED_EXIT_CODE, onInterrupt } from '../interrupt';
import { command, progressBar } from '../output';

export function registerReindexCommand(program: Command): Command {
  return program
    .command('reindex')
    .description('re-embed items lacking a vector for the active model, then rebuild the indexes from stored vectors')
    .option('--no-progress', 'no progress bar')
    .action(
      command(async (flags: { progress: boolean }) => {
        const bar = progressBar('reindex', flags.progress && process.stderr.isTTY === true);
        try {
          const engine = await openEngine();
          // heavy modules load when the command runs, not for --help
          const [{ startReindexJob }, { cancelJob, subscribe }] = await Promise.all([import('../../lib/ingest'), import('../../lib/jobs')]);
          const job = await startReindexJob(engine);
          // Ctrl-C stops the re-embedding after its current batch (kept and indexed; run it again to finish).
          const interrupt = onInterrupt(() => cancelJob(engine.db, job.id), 'after the current batch');
          const off = subscribe(job.id, (e) => {
            if (e.type === 'progress') bar.update({ ...e, label: e.message ?? 'reindex' });
          });
          const outcome = await job.done;
          interrupt.dispose();
          off();
          bar.stop();
          if (outcome.cancelled) {
            process.stderr.write(`clipdex: ${outcome.message}\n`);
            process.exitCode = INTERRUPTED_EXIT_CODE;
            return;
          }
          if ('error' in outcome) throw outcome.error;
          process.stdout.write(`${outcome.message}\n`);
          if (outcome.result.errors) process.stderr.write(`${outcome.result.errors} stored originals could not be re-embedded (see the job's errors)\n`);
        } finally {
          bar.stop();
        }
      }),
    );
}
