/**
 * `clipdex evaluate <file> [--texts FILE.jsonl] | --dataset NAME [--json]` — EasyNLP's evaluate
 * mode: text→image and image→text recall@1/5/10 by exact search, and through HNSW.
 */
import { Option, type Command } from 'commander';
import type { CorpusFormat } from '../../lib/corpus';
import { AppError } from '../../lib/errors';
import { closeOpenedEngine, openEngine, openModel } from '../engine-cli';
import { command, progressBar, termSafe } from '../output';
import type { EvalProgress, EvaluateRunResult } from '../../lib/eval';

interface EvaluateFlags {
  texts?: string;
  dataset?: string;
  format?: CorpusFormat;
  json?: boolean;
  ann: boolean;
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
  const opts = {
    hnsw: flags.ann ? cfg.hnsw : undefined,
    onProgress: (p: EvalProgress) =>
      bar.update({ ...p, label: PHASES[p.phase], errors: 0, rate: p.processed / Math.max(1e-3, (performance.now() - t0) / 1000) }),
  };
  try {
    if (flags.dataset) {
      // an ingested dataset: its stored vectors, through the engine (database + active model)
      try {
        const engine = await openEngine();
        return await evaluateDataset(engine.db, flags.dataset, engine.model, opts);
      } finally {
        await closeOpenedEngine();
      }
    }
    const model = await openModel();
    try {
      return await evaluateFile(file!, model, { ...opts, texts: flags.texts, format: flags.format, batchSize: cfg.batchSize });
    } finally {
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
    .option('--no-ann', 'skip the HNSW figures')
    .option('--json', 'print one JSON object instead of the table')
    .action(
      command(async (file: string | undefined, flags: EvaluateFlags) => {
        const run = await runEvaluate(file, flags);
        const { formatEvalReport, toEvalJson } = await import('../../lib/eval');
        for (const s of run.skipped) process.stderr.write(`warning: ${termSafe(`${s.file ? `${s.file}: ` : ''}line ${s.line}: ${s.reason}`)} (skipped)\n`);
        process.stdout.write(flags.json ? `${JSON.stringify(toEvalJson(run.result))}\n` : `${termSafe(formatEvalReport(run), '\n\t')}\n`);
      }),
    );
}
