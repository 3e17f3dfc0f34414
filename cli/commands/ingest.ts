/**
 * `clipdex ingest <path> [--dataset NAME] [--format …] [--texts FILE.jsonl] [--batch-size N]
 * [--errors FILE] [--json] [--no-ocr] [--no-near-duplicates]` — runs an ingest job with a progress
 * bar and prints a summary. The images it adds then go through OCR (a second stage) unless --no-ocr
 * or CLIPDEX_OCR=0, and are linked to their near-duplicates unless --no-near-duplicates or
 * CLIPDEX_NEAR_DUPLICATES=0.
 * Exit 0 when something was ingested (or was already there), 1 when nothing could be, 2 on bad
 * usage or input that cannot be read (lib/errors decides), 130 after Ctrl-C (the batch being
 * committed is finished, the rest is left for a re-run; a second Ctrl-C quits at once).
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { CorpusFormat } from '../../lib/corpus';
import type { IngestJobResult, LineError } from '../../lib/ingest';
// lib/ingest/types is light; lib/ingest and lib/jobs (sharp, onnxruntime, Prisma) load when the command runs
import { MAX_BATCH_SIZE } from '../../lib/ingest/types';
import { openEngine } from '../engine-cli';
import { INTERRUPTED_EXIT_CODE, onInterrupt } from '../interrupt';
import { datasetNameOption } from './datasets';
import { command, intOption, openErrorsFile, printLineErrors, progressBar } from '../output';

interface IngestFlags {
  dataset?: string;
  format?: CorpusFormat;
  texts?: string;
  batchSize?: number;
  errors?: string;
  json?: boolean;
  progress: boolean;
  /** --ocr / --no-ocr; absent: CLIPDEX_OCR. */
  ocr?: boolean;
  /** --near-duplicates / --no-near-duplicates; absent: CLIPDEX_NEAR_DUPLICATES. */
  nearDuplicates?: boolean;
}

// `train.tsv.gz` → `train`: a .gz suffix goes with the extension it compresses.
export const defaultDatasetName = (p: string) => path.basename(path.resolve(p)).replace(/\.gz$/i, '').replace(/\.[^.]+$/, '') || 'default';

export function formatSummary(s: IngestJobResult): string {
  const st = s.stages;
  const main = ['encode', 'db', 'index', 'save', 'wait'];
  const top = (Object.entries(st) as [string, number][]).filter(([k]) => main.includes(k)).sort((a, b) => b[1] - a[1])[0];
  if (top?.[0] === 'wait') top[0] = 'reading and preparing images';
  return [
    `dataset "${s.dataset}": ${s.datasetStatus}`,
    `  records read   ${s.records}  (good ${s.good}, errors ${s.errorCount})`,
    `  added          ${s.images} images, ${s.texts} texts, ${s.links} links`,
    `  already there  ${s.duplicates} records${s.vectorsReused ? `; ${s.vectorsReused} vectors reused from other datasets` : ''}`,
    `  time           ${s.seconds.toFixed(1)} s (${(s.records / Math.max(s.seconds, 1e-3)).toFixed(1)} records/s; most in ${top?.[0] ?? '-'})`,
    ...(s.ocr ? [formatOcr(s.ocr)] : []),
    ...(s.nearDuplicatesOff ? ['  near-duplicates not linked (clipdex duplicates --rescan links them)'] : []),
    ...(s.pendingLinked ? [`  near-duplicates also checked for ${s.pendingLinked} images an interrupted ingest had committed`] : []),
  ].join('\n');
}

/** issue 11: the OCR stage's line of the summary (its time is not in the "time" line above). */
function formatOcr(o: NonNullable<IngestJobResult['ocr']>): string {
  if (o.skipped !== undefined) return `  text (OCR)     off: ${o.skipped} images not read (clipdex reindex --ocr reads them later)`;
  if (o.unavailable) return `  text (OCR)     did not run: ${o.unavailable}`;
  const per = o.msPerImage ? `; ${o.msPerImage.median} ms/image median, ${o.msPerImage.p90} p90` : '';
  const extra = [o.failed ? `${o.failed} failed` : '', o.incomplete ? `${o.incomplete} cut at the time limit` : '', o.remaining ? `${o.remaining} left unread` : ''].filter(Boolean).join(', ');
  return `  text (OCR)     found in ${o.withText} of ${o.images} images${extra ? ` (${extra})` : ''}; ${o.seconds.toFixed(1)} s after the time above${per}`;
}

export function registerIngestCommand(program: Command): Command {
  return program
    .command('ingest')
    .description('ingest a corpus file or folder into a dataset (pairs, texts, images, MUGE, folder)')
    .argument('<path>', 'corpus file (TSV/JSONL/text) or folder of images')
    .option('-d, --dataset <name>', 'dataset name (default: the file name without extension)', datasetNameOption)
    .addOption(new Option('-f, --format <format>', 'corpus format (default: detected)').choices(['pairs', 'texts', 'images', 'muge', 'folder']))
    .option('-t, --texts <file>', 'MUGE / Chinese-CLIP texts JSONL (implies --format muge)')
    .option('-b, --batch-size <n>', 'records per batch (default CLIPDEX_BATCH_SIZE)', intOption('--batch-size', 1, MAX_BATCH_SIZE))
    .option('-e, --errors <file>', 'write every per-line error to this file')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--no-progress', 'no progress bar')
    .option('--ocr', 'read the text in the images added (OCR; the default unless CLIPDEX_OCR=0)')
    .option('--no-ocr', 'do not read text in images now (they are marked skipped; clipdex reindex --ocr reads them later)')
    .option('--near-duplicates', 'link the images added to their near-duplicates (the default unless CLIPDEX_NEAR_DUPLICATES=0)')
    .option('--no-near-duplicates', 'do not look for near-duplicates now (a bulk load; clipdex duplicates --rescan links them later)')
    .action(command(async (p: string, flags: IngestFlags) => {
      const errorsOut = openErrorsFile(flags.errors);
      const bar = progressBar('ingest', flags.progress && process.stderr.isTTY === true);
      const shown: LineError[] = [];
      let total = 0;
      try {
        // The image tower in a worker: its inference overlaps the next batches' preparation.
        const engine = await openEngine({ imageTowerInWorker: true });
        const [{ startIngestJob }, { cancelJob, subscribe }] = await Promise.all([import('../../lib/ingest'), import('../../lib/jobs')]);
        const dataset = flags.dataset ?? defaultDatasetName(p);
        const job = await startIngestJob(
          engine,
          { path: p, dataset, format: flags.format, texts: flags.texts, batchSize: flags.batchSize, ocr: flags.ocr, nearDuplicates: flags.nearDuplicates },
          {
            onLineError: (e) => {
              total++;
              if (shown.length < 20) shown.push(e);
              errorsOut?.write(e);
            },
            onBatchCommitted: process.env.CLIPDEX_TEST_PAUSE_AFTER_BATCH
              ? async (n, signal) => {
                  // Test hook: announce each commit so a test can SIGKILL the process mid-ingest.
                  process.stdout.write(`batch ${n} committed\n`);
                  const pause = Number(process.env.CLIPDEX_TEST_PAUSE_AFTER_BATCH);
                  // A cancel (Ctrl-C, or the web page through the job row) ends the pause, unless the
                  // test holds it to try a second Ctrl-C.
                  const hold = process.env.CLIPDEX_TEST_PAUSE_HOLD === '1';
                  if (n >= pause) await new Promise<void>((r) => (setTimeout(r, 60_000), hold || signal?.addEventListener('abort', () => r(), { once: true })));
                }
              : undefined,
          },
        );
        // Ctrl-C: the ingest stops after the batch it is committing, saves the indexes and says what it kept.
        const interrupt = onInterrupt(() => cancelJob(engine.db, job.id), 'after the current batch');
        const unsubscribe = subscribe(job.id, (e) => {
          if (e.type === 'progress') bar.update(e.message ? { ...e, label: e.message } : e);
        });
        const outcome = await job.done;
        interrupt.dispose();
        unsubscribe();
        bar.stop();
        await errorsOut?.close();
        if (outcome.cancelled) {
          if ('result' in outcome) process.stdout.write(flags.json ? `${JSON.stringify({ jobId: job.id, ...outcome.result, errors: shown }, null, 2)}\n` : `${formatSummary(outcome.result)}\n`);
          process.stderr.write(`clipdex: ${outcome.message}\nclipdex: what was committed is kept and the indexes are saved; run the same command again to finish (lines already ingested are skipped)\n`);
          process.exitCode = INTERRUPTED_EXIT_CODE;
          return;
        }
        if ('error' in outcome) throw outcome.error;
        const s = outcome.result;
        if (flags.json) process.stdout.write(`${JSON.stringify({ jobId: job.id, ...s, errors: shown }, null, 2)}\n`);
        else process.stdout.write(`${formatSummary(s)}\n`);
        if (total) {
          process.stderr.write(`${total} line${total === 1 ? '' : 's'} rejected:\n`);
          printLineErrors(shown, total, { errorsFile: flags.errors });
        }
        if (s.good === 0) {
          process.stderr.write('clipdex: nothing could be ingested\n');
          process.exitCode = 1;
        }
      } catch (err) {
        bar.stop();
        await errorsOut?.close().catch(() => undefined);
        throw err; // printed by command(), with its exit code
      }
    }));
}
