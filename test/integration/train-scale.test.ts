/**
 * The default recipe trains at a quarter of the model's logit scale (lib/train/defaults.ts,
 * `logitScaleFactor`; bench/RESULTS.md, "Train", session 5), on the real model and real demo
 * images: the loss of the first step, whose batch holds every training pair (so its order does not
 * matter), is the InfoNCE loss at 0.25 × the model's logit scale — not at the model's own — and
 * `--logit-scale-factor` / `logitScaleFactor` changes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zeroWeights } from '../../lib/adapters/adapter';
import { loadClipModel, type ClipModel } from '../../lib/clip';
import { batchGradients, embedPairs, trainAdapter, TRAIN_DEFAULTS, type PairSet } from '../../lib/train';

const root = path.resolve(import.meta.dirname, '..', '..');
const MODEL_DIR = path.resolve(root, process.env.CLIPDEX_TEST_MODEL_DIR ?? 'models/mini-clip');
let tmp: string;
let model: ClipModel;
let train: PairSet;
let valid: PairSet;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-train-scale-'));
  const lines = (file: string, from: number, n: number) => fs.readFileSync(path.join(root, file), 'utf8').split('\n').filter((l) => l.trim()).slice(from, from + n);
  fs.writeFileSync(path.join(tmp, 'train.tsv'), `${lines('demo/train.tsv', 0, 24).join('\n')}\n`);
  fs.writeFileSync(path.join(tmp, 'valid.tsv'), `${lines('demo/valid.tsv', 0, 12).join('\n')}\n`);
  model = await loadClipModel(MODEL_DIR, { threads: 1 });
  train = await embedPairs(path.join(tmp, 'train.tsv'), model);
  valid = await embedPairs(path.join(tmp, 'valid.tsv'), model);
}, 60_000);
afterAll(async () => {
  await model?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function firstStepLoss(logitScaleFactor?: number): Promise<number> {
  let first: number | undefined;
  await trainAdapter(train, valid, {
    epochs: 1,
    lr: TRAIN_DEFAULTS.lr,
    batchSize: 64,
    weightDecay: TRAIN_DEFAULTS.weightDecay,
    logitScale: model.info.logitScale,
    ...(logitScaleFactor === undefined ? {} : { logitScaleFactor }),
    onEvent: (e) => {
      if (e.type === 'step' && first === undefined) first = e.loss;
    },
  });
  return first!;
}

describe('training temperature', () => {
  it('the default recipe trains at 0.25 × the model’s logit scale', async () => {
    expect(TRAIN_DEFAULTS.logitScaleFactor).toBe(0.25);
    expect(train.links.length).toBeGreaterThan(20);
    const rows = train.links.map((_, i) => i);
    // the untrained adapter is the identity whatever its hidden layer: the loss of the raw embeddings
    const at = (factor: number) => batchGradients(train, rows, zeroWeights(model.info.dim, TRAIN_DEFAULTS.hidden), model.info.logitScale * factor).loss;
    const got = await firstStepLoss();
    expect(got).toBeCloseTo(at(0.25), 5);
    expect(Math.abs(got - at(1))).toBeGreaterThan(0.05);
    expect(await firstStepLoss(1)).toBeCloseTo(at(1), 5);
  }, 60_000);
});
