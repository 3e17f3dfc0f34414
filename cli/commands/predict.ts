/**
 * `clipdex predict <file> --input text|image --output FILE.tsv [--append-cols C,…]
 * [--skip-first-line] [--blank-lines error|empty]` — EasyNLP's predict mode: one output line per
 * input line (the vector's values tab-separated, then the appended columns); written atomically
 * (see lib/eval/predict).
 */
import { Option, type Command } from 'commander';
import type { CorpusFormat } from '../../lib/corpus';
import { openModel } from '../engine-cli';
import { command, progressBar } from '../output';
import { adapterOption, withAdapter } from '../adapter-option'; // issue 12
import type { BlankLines, PredictInput, PredictSummary } from '../../lib/eval';

interface PredictFlags {
  adapter?: string;
  input: PredictInput;
  output: string;
  texts?: string;
  format?: CorpusFormat;
  appendCols?: string;
  skipFirstLine?: boolean;
  blankLines: BlankLines;
}

export async function runPredict(file: string, flags: PredictFlags): Promise<PredictSummary> {
  // heavy modules load when the command runs, not for --help
  const [{ getConfig }, { predictFeatures }] = await Promise.all([import('../../lib/config'), import('../../lib/eval')]);
  const cfg = getConfig();
  const bar = progressBar(`${flags.input} features`);
  const t0 = performance.now();
  const model = await withAdapter(await openModel(), flags.adapter);
  try {
    return await predictFeatures(file, model, {
      input: flags.input,
      output: flags.output,
      texts: flags.texts,
      format: flags.format,
      appendCols: flags.appendCols?.split(',').map((c) => c.trim()),
      skipFirstLine: flags.skipFirstLine,
      blankLines: flags.blankLines,
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
    .description('export text or image features: one output line per input line, the vector tab-separated (EasyNLP predict)')
    .argument('<file>', 'EasyNLP pairs TSV, one text a line, one base64 image a line, a MUGE image TSV (--texts for --input text) or a folder')
    .addOption(new Option('--input <kind>', 'which column to encode').choices(['text', 'image']).makeOptionMandatory())
    .requiredOption('--output <file>', 'where to write the features (TSV)')
    .option('--texts <jsonl>', 'MUGE texts JSONL (with --input text its lines are exported)')
    .addOption(new Option('--format <format>', 'corpus layout (default: detected)').choices(['pairs', 'texts', 'images', 'muge', 'folder']))
    .option(
      '--append-cols <cols>',
      'comma-separated input columns to copy after the vector (EasyNLP append_cols): 1-based numbers or names — text,image (pairs), image_id,image (MUGE TSV), JSONL keys (MUGE texts), or the header\'s names with --skip-first-line',
    )
    .addOption(adapterOption())
    .option('--skip-first-line', 'the first line is a header: skip it (output line N is then input line N + 1)')
    .addOption(
      new Option('--blank-lines <mode>', 'a blank input line: error (stop, naming it) or empty (write an empty output line for it)').choices(['error', 'empty']).default('error'),
    )
    .action(
      command(async (file: string, flags: PredictFlags) => {
        const s = await runPredict(file, flags);
        const blank = s.blank ? ` and ${s.blank} empty line${s.blank === 1 ? '' : 's'} for blank input lines` : '';
        process.stderr.write(`wrote ${s.vectors} ${flags.input} vectors of ${s.dim} dimensions${blank} to ${s.output} in ${s.seconds.toFixed(1)} s\n`);
      }),
    );
}
