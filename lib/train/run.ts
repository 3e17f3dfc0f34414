/**
 * One training run, shared by `clipdex train` and the train job: check the name first (so a bad
 * name or a taken one fails before minutes of embedding), embed the pairs once, hold out a
 * validation share when no validation file is given, train, and save the best weights atomically.
 * The adapter is never activated here.
 */
import path from 'node:path';
import { AppError } from '../errors';
import type { EvalModel } from '../eval';
import { adapterExists, checkAdapterName, saveAdapter, type AdapterManifest } from '../adapters/store';
import { TRAIN_DEFAULTS } from './defaults';
import { embedPairs, holdOut, type EmbeddedPairs, type PairSet } from './pairs';
import { trainAdapter, MIN_TRAIN_PAIRS, type TrainEvent, type TrainOptions, type TrainResult } from './train';

/** A pairs file to embed, or pairs already embedded (an ingested dataset's stored vectors). */
export type PairSource = string | { label: string; set: PairSet };

/**
 * The product's training: the exploration knobs of TrainOptions (center, shrink, learn, mixup, ema)
 * are left out, so nothing can train an adapter whose manifest does not say how it was made.
 */
export interface RunTrainingOptions extends Omit<TrainOptions, 'logitScale' | 'onEvent' | 'center' | 'shrink' | 'learn' | 'mixup' | 'ema'> {
  trainFile: PairSource;
  /** Absent: a seeded 10% of the train lines is held out (the report says so). */
  validFile?: PairSource;
  name: string;
  /** What to call the sources in the manifest (an upload's original file name). */
  labels?: { train?: string; valid?: string };
  replace?: boolean;
  dataDir: string;
  batchSizeEmbed?: number;
  onEmbed?: (what: 'train' | 'valid', processed: number, total: number) => void | Promise<void>;
  onEvent?: TrainOptions['onEvent'];
}

export interface RunTrainingResult extends TrainResult {
  manifest: AdapterManifest;
  dir: string;
  trainPairs: number;
  validPairs: number;
  /** Lines that could not be used, per file. */
  skipped: { file: string; line: number; reason: string }[];
  heldOut: boolean;
  embedSeconds: number;
}

export const HOLD_OUT_SHARE = 0.1;
/** Without a validation file: enough lines that a 10% hold-out leaves a batch worth training on. */
export const MIN_PAIRS_FOR_HOLD_OUT = 10;

export async function runTraining(model: EvalModel, o: RunTrainingOptions): Promise<RunTrainingResult> {
  checkAdapterName(o.name);
  if (!o.replace && (await adapterExists(o.dataDir, o.name))) {
    throw new AppError('CONFLICT', `an adapter called "${o.name}" already exists: delete it (clipdex adapters delete ${o.name}) or pass --replace`);
  }
  const embed = async (src: PairSource, what: 'train' | 'valid'): Promise<EmbeddedPairs> =>
    typeof src === 'string'
      ? embedPairs(src, model, { batchSize: o.batchSizeEmbed, onProgress: (p, t) => o.onEmbed?.(what, p, t) })
      : { ...src.set, skipped: [], seconds: 0 };
  const labelOf = (src: PairSource) => (typeof src === 'string' ? src : src.label);
  const trainLabel = labelOf(o.trainFile);
  const trainSet = await embed(o.trainFile, 'train');
  let train: PairSet = trainSet;
  let valid: PairSet;
  const skipped = tag(trainLabel, trainSet);
  let embedSeconds = trainSet.seconds;
  if (o.validFile) {
    const validSet = await embed(o.validFile, 'valid');
    skipped.push(...tag(labelOf(o.validFile), validSet));
    embedSeconds += validSet.seconds;
    valid = validSet;
    if (valid.links.length === 0) throw new AppError('INVALID_INPUT', `${labelOf(o.validFile)} has no usable image-text pair (${validSet.skipped.length} lines skipped)`);
  } else {
    if (trainSet.links.length < MIN_PAIRS_FOR_HOLD_OUT) {
      throw new AppError(
        'INVALID_INPUT',
        `${trainLabel} has ${trainSet.links.length} usable pair(s) and no --valid file was given: pass --valid <pairs> or give at least ${MIN_PAIRS_FOR_HOLD_OUT} pairs so 10% can be held out for validation`,
      );
    }
    ({ train, valid } = holdOut(trainSet, HOLD_OUT_SHARE, o.seed ?? TRAIN_DEFAULTS.seed));
  }
  if (train.links.length < MIN_TRAIN_PAIRS) {
    throw new AppError(
      'INVALID_INPUT',
      `${trainLabel} has ${train.links.length} usable pair(s): training needs at least ${MIN_TRAIN_PAIRS} (each pair's negatives are the other pairs of its batch)`,
    );
  }
  if (model.info.dim !== trainSet.texts.dim) throw new AppError('INTERNAL', 'embedding dimension differs from the model');
  // resolved here so the manifest records what trainAdapter ran
  const hidden = o.hidden ?? TRAIN_DEFAULTS.hidden;
  const towers = o.towers ?? TRAIN_DEFAULTS.towers;
  const logitScaleFactor = o.logitScaleFactor ?? TRAIN_DEFAULTS.logitScaleFactor;
  const result = await trainAdapter(train, valid, { ...o, hidden, towers, logitScaleFactor, logitScale: model.info.logitScale, onEvent: o.onEvent });
  const manifest: AdapterManifest = {
    format: 'clipdex-adapter',
    version: 1,
    name: o.name,
    method: hidden ? 'residual-mlp' : 'residual-linear',
    hidden,
    modelId: model.info.id,
    modelName: model.info.name,
    dim: model.info.dim,
    createdAt: new Date().toISOString(),
    weightsSha256: '',
    training: {
      trainFile: o.labels?.train ?? path.basename(trainLabel),
      validFile: o.validFile ? (o.labels?.valid ?? path.basename(labelOf(o.validFile))) : `${Math.round(HOLD_OUT_SHARE * 100)}% of ${path.basename(trainLabel)} (held out)`,
      trainPairs: train.links.length,
      validPairs: valid.links.length,
      epochs: o.epochs,
      bestEpoch: result.bestEpoch,
      bestStep: result.bestStep,
      lr: o.lr,
      batchSize: o.batchSize,
      weightDecay: o.weightDecay,
      towers,
      hidden,
      logitScaleFactor,
      seconds: result.seconds + embedSeconds,
      baseline: result.baseline,
      best: result.best,
      history: result.history,
    },
  };
  if (o.signal?.aborted) throw new AppError('INTERNAL', 'training was interrupted: no adapter was written');
  const dir = await saveAdapter(o.dataDir, { manifest, weights: result.weights }, { replace: o.replace });
  return {
    ...result,
    manifest,
    dir,
    trainPairs: train.links.length,
    validPairs: valid.links.length,
    skipped,
    heldOut: !o.validFile,
    embedSeconds,
  };
}

function tag(file: string, set: EmbeddedPairs) {
  return set.skipped.map((s) => ({ file: s.file ?? file, line: s.line, reason: s.reason }));
}

export type { TrainEvent };
