/**
 * A load-time sanity check of a model's outputs. Damaged weights that still parse (a disk error,
 * a bad copy) would otherwise count as a *new* model: its id (a hash of the files) changes, the
 * indexes are rebuilt for it and a re-index re-embeds every item with it. Two built-in probe
 * images and two probe texts are embedded; the model is refused when an output is NaN/infinite,
 * all zero, or the same vector for both probes (a model that ignores its input).
 *
 * What this cannot see: weights damaged so that outputs stay finite and still vary with the input.
 * Such a model is indistinguishable from a new, different model without reference vectors.
 */
import { AppError } from '../errors';

export const PROBE_TEXTS = ['a photo of a cat', '一辆红色的汽车'] as const;

/**
 * Two different CHW inputs in the model's normalised space: all zeros (the dataset mean grey) and
 * a checkerboard whose channels differ (±1.5, within what CLIP's normalisation produces).
 */
export function probePixels(height: number, width: number): [Float32Array, Float32Array] {
  const plane = height * width;
  const flat = new Float32Array(3 * plane);
  const board = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const on = (Math.floor(x / 8) + Math.floor(y / 8) + c) % 2 === 0;
        board[c * plane + y * width + x] = on ? 1.5 : -1.5;
      }
    }
  }
  return [flat, board];
}

/** Throws MODEL_INVALID when a row holds NaN or ±Infinity (after L2 normalisation both show as NaN). */
export function assertFinite(rows: Float32Array[], file: string): void {
  for (const v of rows) {
    for (let j = 0; j < v.length; j++) {
      if (!Number.isFinite(v[j])) throw new AppError('MODEL_INVALID', `${file} gives NaN or infinite outputs: its weights look damaged`);
    }
  }
}

/** The check on two probe outputs of one encoder; `what` names the probes in the message. */
export function checkProbeOutputs(a: Float32Array, b: Float32Array, file: string, what: string): void {
  assertFinite([a, b], file);
  const zero = (v: Float32Array) => v.every((x) => x === 0);
  if (zero(a) || zero(b)) throw new AppError('MODEL_INVALID', `${file} gives an all-zero output for ${what}: its weights look damaged`);
  let diff = 0;
  for (let j = 0; j < a.length; j++) diff = Math.max(diff, Math.abs(a[j] - b[j]));
  if (diff < 1e-5) {
    throw new AppError('MODEL_INVALID', `${file} gives the same vector for ${what}, so it ignores its input: its weights look damaged`);
  }
}
