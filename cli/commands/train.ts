/**
 * `clipdex train <pairs> [--valid <pairs>] --name NAME [--epochs N] [--lr X] [--batch-size N]
 * [--weight-decay X] [--save-checkpoint-steps N] [--towers both|image|text] [--hidden N] [--logit-scale-factor X] [--replace]` —
 * EasyNLP's train mode on a CPU: an adapter over the frozen model (lib/train), saved atomically
 * under DATA_DIR/adapters/NAME, never activated. Ctrl-C stops it and writes nothing.
 */
import { Option, type Command } from 'commander';
import { AppError } from '../../lib/errors';
// the recipe's constants only (no onnxruntime): --help prints them without loading lib/train
import { TRAIN_DEFAULTS } from '../../lib/train/defaults';
// lib/train and lib/config (onnxruntime, sharp, zod) load when the command runs (bench/startup.ts)
import type { RunTrainingResult, TrainEvent } from '../../lib/train';
import type { Recall } from '../../lib/adapters';
import { openModel } from '../engine-cli';
import { INTERRUPTED_EXIT_CODE, onInterrupt } from '../interrupt';
import { command, fail, formatLineError, intOption, numberOption, printReport, progressBar, termSafe } from '../output';

interface TrainFlags {
  valid?: string;
  name: string;
  epochs: number;
  lr: number;
  batchSize: number;
  weightDecay: number;
  saveCheckpointSteps: number;
  towers: 'both' | 'image' | 'text';
  hidden: number;
  logitScaleFactor: number;
  seed: number;
  replace?: boolean;
  json?: boolean;
}

const fmt = (r: Recall) => `R@1 ${r.r1.toFixed(2)}  R@5 ${r.r5.toFixed(2)}  R@10 ${r.r10.toFixed(2)}  mean ${r.mean.toFixed(2)}`;

export async function runTrain(file: string, flags: TrainFlags, signal?: AbortSignal): Promise<RunTrainingResult> {
  const [{ getConfig }, { runTraining }] = await Promise.all([import('../../lib/config'), import('../../lib/train')]);
  const cfg = getConfig();
  const model = await openModel();
  const bar = progressBar('train');
  const t0 = performance.now();
  const rate = (n: number) => n / Math.max(1e-3, (performance.now() - t0) / 1000);
  const log = (line: string) => {
    // a line above the bar: stop it, print, and let the next update redraw it
    bar.stop();
    process.stderr.write(`${line}\n`);
  };
  try {
    return await runTraining(model, {
      trainFile: file,
      validFile: flags.valid,
      name: flags.name,
      replace: flags.replace,
      dataDir: cfg.dataDir,
      epochs: flags.epochs,
      lr: flags.lr,
      batchSize: flags.batchSize,
      weightDecay: flags.weightDecay,
      evalEverySteps: flags.saveCheckpointSteps,
      towers: flags.towers,
      hidden: flags.hidden,
      logitScaleFactor: flags.logitScaleFactor,
      seed: flags.seed,
      signal,
      batchSizeEmbed: cfg.batchSize,
      onEmbed: (what, processed, total) => bar.update({ label: `embedding ${what}`, processed, total, errors: 0, rate: rate(processed) }),
      onEvent: (e: TrainEvent) => {
        if (e.type === 'step') {
          bar.update({ label: `epoch ${e.epoch} loss ${e.loss.toFixed(3)}`, processed: e.step, total: e.totalSteps, errors: 0, rate: rate(e.step) });
        } else if (e.type === 'eval') {
          log(`epoch ${e.epoch} step ${e.step}/${e.totalSteps}: loss ${e.loss.toFixed(4)}  valid text→image ${fmt(e.recall)}${e.best ? '  (best so far)' : ''}`);
        }
      },
    });
  } finally {
    bar.stop();
    await model.close();
  }
}

export function formatTrainReport(r: RunTrainingResult): string {
  const t = r.manifest.training;
  const gain = r.best.mean - r.baseline.mean;
  return [
    `Trained adapter "${r.manifest.name}" for model ${r.manifest.modelName} (${r.manifest.modelId}) on ${r.trainPairs} pairs, validated on ${r.validPairs}${r.heldOut ? ' held out from the train file (no --valid given)' : ''}`,
    `valid text→image without adapter: ${fmt(r.baseline)}`,
    `valid text→image with adapter:    ${fmt(r.best)}   (${gain >= 0 ? '+' : ''}${gain.toFixed(2)} points, best at epoch ${r.bestEpoch}${r.bestEpoch === 0 ? ': no epoch beat the model alone, the adapter is the identity' : ''})`,
    `embedding ${r.embedSeconds.toFixed(1)} s, training ${r.seconds.toFixed(1)} s (${t.epochs} epochs, batch ${t.batchSize}, lr ${t.lr}, ${r.manifest.hidden ? `MLP residual, hidden ${r.manifest.hidden}` : 'linear residual'}, towers ${t.towers}, logit scale × ${t.logitScaleFactor ?? 1})`,
    `saved to ${r.dir} (not active: clipdex adapters activate ${r.manifest.name}, or --adapter ${r.manifest.name})`,
  ].join('\n');
}

export function registerTrainCommand(program: Command): Command {
  return program
    .command('train')
    .description('fine-tune an adapter over the loaded model on your own image-text pairs (EasyNLP train mode, CPU); best epoch by validation mean recall')
    .argument('<pairs>', 'training pairs: EasyNLP TSV (text<TAB>base64 image), MUGE image TSV with --texts is not supported here, or a folder of captioned images')
    .option('--valid <pairs>', 'validation pairs (default: a seeded 10% of the training lines is held out)')
    .requiredOption('--name <name>', 'adapter name (letters, digits, - and _)')
    .option('--epochs <n>', 'passes over the training pairs', intOption('--epochs', 1, 1000), TRAIN_DEFAULTS.epochs)
    .option('--lr <x>', 'peak learning rate (AdamW, cosine decay)', numberOption('--lr'), TRAIN_DEFAULTS.lr)
    .option('--batch-size <n>', 'pairs per step (the in-batch negatives)', intOption('--batch-size', 2, 4096), TRAIN_DEFAULTS.batchSize)
    .option('--weight-decay <x>', 'AdamW weight decay (pulls the adapter towards the identity)', numberOption('--weight-decay'), TRAIN_DEFAULTS.weightDecay)
    .option('--save-checkpoint-steps <n>', 'also validate (and keep the best) every N steps, as EasyNLP does; 0 = at epoch ends only', intOption('--save-checkpoint-steps', 0), 0)
    .addOption(new Option('--towers <which>', 'which towers get an adapter').choices(['both', 'image', 'text']).default(TRAIN_DEFAULTS.towers))
    .option('--hidden <n>', 'width of a ReLU hidden layer in each residual map (0 = a linear map: smaller and cheaper per query, but it gained less on new styles)', intOption('--hidden', 0, 4096), TRAIN_DEFAULTS.hidden)
    .option('--logit-scale-factor <x>', "train at this fraction of the model's logit scale (a softer InfoNCE; 1 = the model's own)", numberOption('--logit-scale-factor'), TRAIN_DEFAULTS.logitScaleFactor)
    .option('--seed <n>', 'shuffling seed', intOption('--seed', 0), TRAIN_DEFAULTS.seed)
    .option('--replace', 'overwrite an adapter of the same name')
    .option('--json', 'print the result as JSON')
    .action(
      command(async (file: string, flags: TrainFlags) => {
        const ac = new AbortController();
        // first Ctrl-C: stop at the next step, writing nothing; a second one quits at once
        const interrupt = onInterrupt(async () => ac.abort(), 'training (no adapter is written)');
        try {
          if (!(flags.lr > 0)) throw new AppError('INVALID_INPUT', `--lr must be > 0, got ${flags.lr}`);
          if (!(flags.logitScaleFactor > 0)) throw new AppError('INVALID_INPUT', `--logit-scale-factor must be > 0, got ${flags.logitScaleFactor}`);
          const r = await runTrain(file, flags, ac.signal);
          for (const s of r.skipped) process.stderr.write(`warning: ${formatLineError(s)} (skipped)\n`);
          if (r.heldOut) process.stderr.write(`warning: no --valid file: validated on ${r.validPairs} lines held out from ${termSafe(file)}; their concepts may also be in the training lines\n`);
          if (flags.json) {
            process.stdout.write(`${JSON.stringify({ name: r.manifest.name, dir: r.dir, baseline: r.baseline, best: r.best, bestEpoch: r.bestEpoch, history: r.history, trainPairs: r.trainPairs, validPairs: r.validPairs, seconds: r.seconds, embedSeconds: r.embedSeconds })}\n`);
          } else printReport(formatTrainReport(r));
        } catch (err) {
          if (!ac.signal.aborted) throw err;
          fail(err);
          process.exitCode = INTERRUPTED_EXIT_CODE;
        } finally {
          interrupt.dispose();
        }
      }),
    );
}
