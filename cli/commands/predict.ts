/**
 * `clipdex predict <file> --input text|image --output FILE.tsv` — EasyNLP's predict mode: one
 * tab-separated feature vector a line, in input order; written atomically (see lib/eval/predict).
 */
import { Option, type Command } from 'commander';
import type { CorpusFormat } from '../../lib/corpus';
import { openModel } from '../engine-cli';
import { command, progressBar } from '../output';
import type { PredictInput, PredictSummary } from '../../lib/eval';

interface PredictFlags {
  input: PredictInput;
  output: string;
  texts?: string;
  format?: CorpusFormat;
}

export async function runPredict(file: string, flags: PredictFlags): Promise<PredictSummary> {
  // heavy modules load when the command runs, not for --help
  const [{ getConfig }, { predictFeatures }] = await Promise.all([import('../../lib/config'), import('../../lib/eval')]);
  const cfg = getConfig();
  const bar = progressBar(`${flags.input} features`);
  const t0 = performance.now();
  const model = await openModel();
  try {
    return await predictFeatures(file, model, {
      input: flags.input,
      output: flags.output,
      texts: flags.texts,
      format: flags.format,
      batchSize: cfg.batchSize,
      onProgress: (processed, total) => bar.update({ processed, total, errors: 0, rate: processed / Math.max(1e-3, (performance.now() - t0) / 1000) }),
    });
  } finally {
    bar.stop();
    await model.close();
  }
}

export function registerPredictCommand(program: Command): Command {
  return program
    .command('predict')
    .description('export text or image features, one tab-separated vector a line (EasyNLP predict)')
    .argument('<file>', 'EasyNLP pairs TSV, one text a line, one base64 image a line, a MUGE image TSV (with --texts) or a folder')
    .addOption(new Option('--input <kind>', 'which column to encode').choices(['text', 'image']).makeOptionMandatory())
    .requiredOption('--output <file>', 'where to write the features (TSV)')
    .option('--texts <jsonl>', 'MUGE texts JSONL (with --input text its lines are exported)')
    .addOption(new Option('--format <format>', 'corpus layout (default: detected)').choices(['pairs', 'texts', 'images', 'muge', 'folder']))
    .action(
      command(async (file: string, flags: PredictFlags) => {
        const s = await runPredict(file, flags);
        process.stderr.write(`wrote ${s.lines} ${flags.input} vectors of ${s.dim} dimensions to ${s.output} in ${s.seconds.toFixed(1)} s\n`);
      }),
    );
}
