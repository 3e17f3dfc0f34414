/**
 * The 'train' job: `clipdex train` in the background of the web server (the /train page). Pairs
 * come from uploaded files or from ingested datasets (their stored vectors: nothing is embedded
 * again). Progress goes through lib/jobs (the page's bar follows it over server-sent events); the
 * loss and validation-recall curve is kept in memory while the job runs and is the job's result at
 * the end, so the page can draw it live and afterwards. Uploads are deleted when the job ends.
 */
import fs from 'node:fs/promises';
import type { Engine } from '../engine';
import { AppError } from '../errors';
import { loadDatasetEvalSet } from '../eval';
import { runJob, type JobContext, type StartedJob } from '../jobs';
import type { Recall } from '../adapters/store';
import { TRAIN_DEFAULTS } from './defaults';
import { runTraining, type PairSource } from './run';

export interface TrainJobParams {
  name: string;
  /** An uploaded pairs file on the server, or an ingested dataset. */
  trainPath?: string;
  trainDataset?: string;
  validPath?: string;
  validDataset?: string;
  /** Names to show for uploads. */
  trainLabel?: string;
  validLabel?: string;
  epochs: number;
  lr: number;
  batchSize: number;
  weightDecay?: number;
  towers?: 'both' | 'image' | 'text';
  hidden?: number;
  /** Absent: TRAIN_DEFAULTS.logitScaleFactor. */
  logitScaleFactor?: number;
  replace?: boolean;
  removeFiles?: boolean;
}

export interface TrainCurvePoint {
  epoch: number;
  step: number;
  loss: number;
  recall: Recall;
}

export interface TrainJobResult {
  name: string;
  baseline: Recall;
  best: Recall;
  bestEpoch: number;
  trainPairs: number;
  validPairs: number;
  heldOut: boolean;
  seconds: number;
  curve: TrainCurvePoint[];
}

export interface TrainCurve {
  baseline?: Recall;
  points: TrainCurvePoint[];
  epochs: number;
}

// curves of the jobs running in this process, for the page's live chart
const g = globalThis as unknown as { __clipdexTrainCurves?: Map<string, TrainCurve> };
const curves = (g.__clipdexTrainCurves ??= new Map());

/** The live curve of a running train job in this process (undefined when not running here). */
export function liveTrainCurve(jobId: string): TrainCurve | undefined {
  return curves.get(jobId);
}

async function runTrainJob(engine: Engine, p: TrainJobParams, ctx: JobContext) {
  const curve: TrainCurve = { points: [], epochs: p.epochs };
  curves.set(ctx.jobId, curve);
  try {
    // an upload stays a path (runTraining embeds it, with progress); a dataset is its stored vectors
    const source = async (path: string | undefined, dataset: string | undefined): Promise<PairSource | undefined> => {
      if (path) return path;
      if (dataset) return { label: `dataset:${dataset}`, set: await loadDatasetEvalSet(engine.db, dataset, engine.model.info) };
      return undefined;
    };
    const train = await source(p.trainPath, p.trainDataset);
    if (!train) throw new AppError('INVALID_INPUT', 'a train job needs an uploaded pairs file or a dataset');
    const valid = await source(p.validPath, p.validDataset);
    const r = await runTraining(engine.model, {
      trainFile: train,
      validFile: valid,
      labels: { train: p.trainLabel, valid: p.validLabel },
      name: p.name,
      replace: p.replace,
      dataDir: engine.config.dataDir,
      epochs: p.epochs,
      lr: p.lr,
      batchSize: p.batchSize,
      weightDecay: p.weightDecay ?? TRAIN_DEFAULTS.weightDecay,
      towers: p.towers,
      hidden: p.hidden,
      logitScaleFactor: p.logitScaleFactor,
      batchSizeEmbed: engine.config.batchSize,
      signal: ctx.signal,
      onEmbed: (what, processed, total) => ctx.progress({ processed, total, message: `embedding the ${what === 'train' ? 'training' : 'validation'} pairs` }),
      onEvent: (e) => {
        if (e.type === 'baseline') {
          curve.baseline = e.recall;
        } else if (e.type === 'step') {
          ctx.progress({ processed: e.step, total: e.totalSteps, message: `epoch ${e.epoch}/${p.epochs}: loss ${e.loss.toFixed(3)}` });
        } else {
          curve.points.push({ epoch: e.epoch, step: e.step, loss: e.loss, recall: e.recall });
          ctx.progress({ processed: e.step, total: e.totalSteps, message: `epoch ${e.epoch}/${p.epochs}: valid mean recall ${e.recall.mean.toFixed(2)}${e.best ? ' (best)' : ''}` });
        }
      },
    });
    ctx.lineErrors(r.skipped);
    const result: TrainJobResult = {
      name: r.manifest.name,
      baseline: r.baseline,
      best: r.best,
      bestEpoch: r.bestEpoch,
      trainPairs: r.trainPairs,
      validPairs: r.validPairs,
      heldOut: r.heldOut,
      seconds: r.seconds + r.embedSeconds,
      curve: curve.points,
    };
    const gain = r.best.mean - r.baseline.mean;
    return {
      result,
      message: `adapter "${r.manifest.name}": valid mean recall ${r.baseline.mean.toFixed(2)} → ${r.best.mean.toFixed(2)} (${gain >= 0 ? '+' : ''}${gain.toFixed(2)}, best epoch ${r.bestEpoch})`,
    };
  } finally {
    curves.delete(ctx.jobId);
    if (p.removeFiles) await Promise.all([p.trainPath, p.validPath].filter((x): x is string => !!x).map((x) => fs.rm(x, { force: true })));
  }
}

export async function startTrainJob(engine: Engine, params: TrainJobParams): Promise<StartedJob<unknown>> {
  if (!params.trainPath === !params.trainDataset) throw new AppError('INVALID_INPUT', 'choose a training dataset or upload a training pairs file (one of the two)');
  if (params.validPath && params.validDataset) throw new AppError('INVALID_INPUT', 'choose a validation dataset or upload a validation file, not both');
  const started = await runJob(engine.db, 'train', params, (ctx) => runTrainJob(engine, params, ctx));
  // A job cancelled while queued never runs the handler, whose `finally` deletes the uploads.
  const uploads = params.removeFiles ? [params.trainPath, params.validPath].filter((x): x is string => !!x) : [];
  void started.done.then(async (o) => void (o.cancelled && (await Promise.all(uploads.map((x) => fs.rm(x, { force: true })))))).catch(() => undefined);
  return started;
}

export function isTrainJobResult(x: unknown): x is TrainJobResult {
  const r = x as TrainJobResult | null;
  return !!r && typeof r === 'object' && typeof r.name === 'string' && Array.isArray(r.curve) && !!r.best;
}
