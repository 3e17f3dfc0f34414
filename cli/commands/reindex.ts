/**
 * `clipdex reindex [--ocr [--retry-failed-ocr]]` — embed what the active model has no vector for
 * (from the stored originals, after a model change), then rebuild both HNSW indexes from the
 * stored vectors; with --ocr, then read the text of every image that has none yet (issue 11).
 */
import type { Command } from 'commander';
import { AppError } from '../../lib/errors';
import { openEngine } from '../engine-cli';
import { INTERRUPTED_EXIT_CODE, onInterrupt } from '../interrupt';
import { command, progressBar } from '../output';

export function registerReindexCommand(program: Command): Command {
  return program
    .command('reindex')
    .description('re-embed items lacking a vector for the active model, then rebuild the indexes from stored vectors')
    .option('--no-progress', 'no progress bar')
    .option('--ocr', 'then read the text in every image not read yet (ingested before OCR, with --no-ocr, or interrupted)')
    .option('--retry-failed-ocr', 'with --ocr: also read again the images whose OCR failed')
    .action(
      command(async (flags: { progress: boolean; ocr?: boolean; retryFailedOcr?: boolean }) => {
        if (flags.retryFailedOcr && !flags.ocr) throw new AppError('INVALID_INPUT', '--retry-failed-ocr goes with --ocr (clipdex reindex --ocr --retry-failed-ocr)');
        const bar = progressBar('reindex', flags.progress && process.stderr.isTTY === true);
        try {
          const engine = await openEngine();
          // heavy modules load when the command runs, not for --help
          const [{ startReindexJob }, { cancelJob, subscribe }] = await Promise.all([import('../../lib/ingest'), import('../../lib/jobs')]);
          const job = await startReindexJob(engine, { ocr: flags.ocr === true, retryFailedOcr: flags.retryFailedOcr === true });
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
          if (outcome.result.ocr?.failed) process.stderr.write(`${outcome.result.ocr.failed} images' OCR failed (the reason is on each image's page; clipdex reindex --ocr --retry-failed-ocr tries them again)\n`);
          if (outcome.result.errors) process.stderr.write(`${outcome.result.errors} stored originals could not be re-embedded (see the job's errors)\n`);
        } finally {
          bar.stop();
        }
      }),
    );
}
