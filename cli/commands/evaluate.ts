/**
 * `clipdex evaluate <file> [--texts FILE.jsonl] | --dataset NAME [--protocol P] [--json]` —
 * EasyNLP's evaluate mode: recall@1/5/10 by exact search (and through HNSW for the clipdex
 * protocol), counted as clipdex, EasyNLP or Chinese-CLIP count it (lib/eval/protocols.ts).
 * Exit 1 when nothing could be evaluated.
 */
import { Option, type Command } from 'commander';
import type { CorpusFormat } from '../../lib/corpus';
import { randomUUID } from 'node:crypto';
import { AppError, describeError } from '../../lib/errors';
import { closeOpenedEngine, openEngine, openModel } from '../engine-cli';
import { INTERRUPTED_EXIT_CODE, onInterrupt } from '../interrupt';
import { command, progressBar, termSafe } from '../output';
import { adapterName, adapterOption, withAdapter } from '../adapter-option'; // issue 12
import type { EvalProgress, EvaluateRunResult } from '../../lib/eval';
// protocols.ts is light (no onnxruntime, sharp or Prisma): --help shows its definitions
import { MEAN_RECALL_DEFINITION, type EvalProtocol } from '../../lib/eval/protocols';

interface EvaluateFlags {
  adapter?: string;
  texts?: string;
  dataset?: string;
  format?: CorpusFormat;
  protocol: EvalProtocol;
  json?: boolean;
  ann: boolean;
}

/** Ctrl-C during a distributed evaluate: exit 130 as an interrupted ingest does. */
class EvaluateInterrupted extends Error {
  constructor(readonly reason: unknown) {
    super(describeError(reason));
  }
}

const PHASES: Record<EvalProgress['phase'], string> = { embed: 'embedding', exact: 'exact search', ann: 'HNSW search' };

export async function runEvaluate(file: string | undefined, flags: EvaluateFlags): Promise<EvaluateRunResult> {
  if (!file && !flags.dataset) throw new AppError('INVALID_INPUT', 'give a validation file or --dataset NAME');
  if (file && flags.dataset) throw new AppError('INVALID_INPUT', 'give either a file or --dataset, not both');
  // heavy modules load when the command runs, not for --help
  const [{ getConfig }, { evaluateDataset, evaluateFile }] = await Promise.all([import('../../lib/config'), import('../../lib/eval')]);
  const cfg = getConfig();
  const bar = progressBar('evaluate');
  const t0 = performance.now();
  let last: EvalProgress = { phase: 'embed', processed: 0, total: 0 };
  const opts = {
    hnsw: flags.ann ? cfg.hnsw : undefined,
    protocol: flags.protocol,
    onProgress: (p: EvalProgress, label = PHASES[p.phase]) =>
      bar.update({ ...(last = p), label, errors: 0, rate: p.processed / Math.max(1e-3, (performance.now() - t0) / 1000) }),
  };
  try {
    if (flags.dataset) {
      // an ingested dataset: its stored vectors, through the engine (database + active model)
      try {
        if (await adapterName(flags.adapter)) throw new AppError('INVALID_INPUT', '--adapter / CLIPDEX_ADAPTER applies to a validation file, not to --dataset (stored vectors): evaluate the file');
        const engine = await openEngine();
        return await evaluateDataset(engine.db, flags.dataset, engine.model, opts);
      } finally {
        await closeOpenedEngine();
      }
    }
    const model = await withAdapter(await openModel(), flags.adapter);
    // Distributed mode: `clipdex worker` processes embed the file; Ctrl-C removes the slices not started.
    const stop = new AbortController();
    const interrupt = cfg.redisUrl ? onInterrupt(async () => stop.abort(), 'the evaluate (slices not started are removed)') : undefined;
    const queue = cfg.redisUrl
      ? { config: cfg, ctx: { jobId: `evaluate-${randomUUID()}`, signal: stop.signal, progress: (p: { message?: string }) => opts.onProgress(last, p.message) } }
      : undefined;
    try {
      return await evaluateFile(file!, model, { ...opts, texts: flags.texts, format: flags.format, batchSize: cfg.batchSize, queue });
    } catch (err) {
      if (stop.signal.aborted) throw new EvaluateInterrupted(err);
      throw err;
    } finally {
      interrupt?.dispose();
      await model.close();
    }
  } finally {
    bar.stop();
  }
}

export function registerEvaluateCommand(program: Command): Command {
  return program
    .command('evaluate')
    .description('recall@1/5/10 text→image and image→text on a validation file (EasyNLP pairs or MUGE) or an ingested dataset')
    .argument('[file]', 'validation file: EasyNLP pairs TSV (text<TAB>base64 image), MUGE image TSV (with --texts) or a folder')
    .option('--texts <jsonl>', 'MUGE / Chinese-CLIP texts JSONL ({"text_id","text","image_ids"}) for an image TSV')
    .option('--dataset <name>', 'evaluate an ingested dataset from its stored vectors instead of a file')
    .addOption(new Option('--format <format>', 'corpus layout (default: detected)').choices(['pairs', 'muge', 'folder']))
    .addOption(
      new Option(
        '--protocol <protocol>',
        'how recall is counted: clipdex (identical images/texts merged, both directions), easynlp (text i ↔ image i, one candidate per line, text→image only, as EasyNLP\'s CLIP evaluator), chinese-clip (MUGE: one candidate per image id, texts without an image count as misses, both directions as Chinese-CLIP\'s evaluation.py / evaluation_tr.py)',
      )
        .choices(['clipdex', 'easynlp', 'chinese-clip'])
        .default('clipdex'),
    )
    .option('--no-ann', 'skip the HNSW figures (only the clipdex protocol has them)')
    .option('--json', 'print one JSON object instead of the table')
    .addOption(adapterOption())
    .addHelpText(
      'after',
      `\nmean_recall, per protocol:\n${Object.entries(MEAN_RECALL_DEFINITION)
        .map(([p, d]) => `  ${p.padEnd(13)}${d}`)
        .join('\n')}\nTies: the earlier line (easynlp) or the earlier image id in byte order / text line (chinese-clip) ranks first, as the reference code's sort does.\nExit codes: 0 evaluated, 1 nothing could be evaluated, 2 bad input, 3 model problem.`,
    )
    .action(
      command(async (file: string | undefined, flags: EvaluateFlags) => {
        let run: EvaluateRunResult;
        try {
          run = await runEvaluate(file, flags);
        } catch (err) {
          if (!(err instanceof EvaluateInterrupted)) throw err;
          process.stderr.write(`clipdex: ${termSafe(err.message)}\n`);
          process.exitCode = INTERRUPTED_EXIT_CODE;
          return;
        }
        const { formatEvalReport, nothingEvaluated, toEvalJson } = await import('../../lib/eval');
        for (const s of run.skipped) process.stderr.write(`warning: ${termSafe(`${s.file ? `${s.file}: ` : ''}line ${s.line}: ${s.reason}`)} (skipped)\n`);
        for (const w of run.warnings) process.stderr.write(`warning: ${termSafe(w)}\n`);
        const nothing = nothingEvaluated(run);
        if (nothing) {
          process.stderr.write(`clipdex: ${termSafe(nothing)}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(flags.json ? `${JSON.stringify(toEvalJson(run.result))}\n` : `${termSafe(formatEvalReport(run), '\n\t')}\n`);
      }),
    );
}
