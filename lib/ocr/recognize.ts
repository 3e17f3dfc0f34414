/**
 * Text recognition with PaddleOCR's CRNN/SVTR model (PP-OCRv4 rec: input [N, 3, 48, W], output
 * per time step a softmax over the dictionary): each box is cut out (a box at least 1.5× taller
 * than wide is turned a quarter, as PaddleOCR does), resized to the model's height keeping its
 * aspect ratio, normalised to [-1, 1] (BGR) and right-padded with zeros to the batch's width
 * (at least REC_MIN_WIDTH, as PaddleOCR's 3×48×320). CTC greedy decoding: best class per step,
 * repeats collapsed, the blank (class 0) dropped; confidence = mean probability of the kept steps.
 */
import { resizeIntoChw, rotate90, type Rgb } from './pixels';

export const REC_HEIGHT = 48;
export const REC_MIN_WIDTH = 320;
/** Wider crops are squeezed to this: bounded time per line (a 48 px high line 66× as wide). */
export const REC_MAX_WIDTH = 3200;
/** Lines read with a lower confidence are dropped (PaddleOCR's drop_score). */
export const DROP_SCORE = 0.5;
/**
 * A line of one or two characters needs this much: on the demo emoji, shapes read as a lone
 * "米", "C" or "W" at 0.5–0.85 in 13 of 200 images, while real short text ("8", "10" on keycaps)
 * reads at ≥ 0.99. Spurious text would put a picture under has:text and keyword hits.
 */
export const SHORT_LINE_SCORE = 0.9;

/** Whether a decoded line is kept. */
export function keepLine(text: string, confidence: number): boolean {
  if (!text || confidence < DROP_SCORE) return false;
  return [...text].length > 2 || confidence >= SHORT_LINE_SCORE;
}
/** Crops per model run (PaddleOCR's rec_batch_num). */
export const REC_BATCH = 6;

const HALF = [0.5, 0.5, 0.5];

/** Turn a tall box on its side (vertical text is read as a line). */
export function uprightCrop(crop: Rgb): Rgb {
  return crop.height >= crop.width * 1.5 ? rotate90(crop) : crop;
}

/** The width a crop takes at the model's height. */
export function recWidth(crop: Rgb, height = REC_HEIGHT): number {
  return Math.max(1, Math.min(REC_MAX_WIDTH, Math.ceil((height * crop.width) / crop.height)));
}

/** The [N, 3, height, W] input for upright crops; W = the widest crop, at least REC_MIN_WIDTH. */
export function recInput(crops: Rgb[], height = REC_HEIGHT): { data: Float32Array; width: number } {
  const widths = crops.map((c) => recWidth(c, height));
  const width = Math.max(REC_MIN_WIDTH, ...widths);
  const data = new Float32Array(crops.length * 3 * height * width); // zeros: the padding
  crops.forEach((c, i) => resizeIntoChw(c, widths[i], height, { out: data, offset: i * 3 * height * width, planeHeight: height, planeWidth: width }, HALF, HALF));
  return { data, width };
}

export interface DecodedLine {
  text: string;
  confidence: number;
}

/**
 * CTC greedy decoding of an [N, T, C] probability output. `chars[k]` is class k's text
 * (`chars[0]` the blank, never emitted).
 */
export function ctcGreedyDecode(probs: Float32Array, n: number, steps: number, classes: number, chars: readonly string[]): DecodedLine[] {
  const out: DecodedLine[] = [];
  for (let i = 0; i < n; i++) {
    let text = '';
    let sum = 0;
    let kept = 0;
    let prev = -1;
    for (let t = 0; t < steps; t++) {
      const base = (i * steps + t) * classes;
      let best = 0;
      let bestP = probs[base];
      for (let c = 1; c < classes; c++) {
        if (probs[base + c] > bestP) {
          bestP = probs[base + c];
          best = c;
        }
      }
      if (best !== 0 && best !== prev) {
        text += chars[best] ?? '';
        sum += bestP;
        kept++;
      }
      prev = best;
    }
    out.push({ text, confidence: kept ? sum / kept : 0 });
  }
  return out;
}
