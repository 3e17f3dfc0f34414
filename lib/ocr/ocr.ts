/**
 * Image bytes → text lines: decode with lib/image (oriented, sRGB, at most OCR_MAX_SIDE on its
 * longer side), detect boxes (detect.ts), read each (recognize.ts) in reading order. The ONNX
 * sessions open on the first image read, never at import: a process that does not OCR pays
 * nothing. Time per image is bounded: at most MAX_BOXES boxes, crops at most REC_MAX_WIDTH wide,
 * and a deadline checked between model runs (a line already read is kept; `complete` says
 * whether the deadline cut the reading short).
 */
import { decodePipeline, runDecode } from '../image';
import { AppError } from '../errors';
import { floatTensor, openSession, type EncoderSession } from '../clip/onnx-session';
import { boxesFromProbMap, detInput, MAX_BOXES, readingOrder } from './detect';
import { ocrModelFiles, readDictionary, type OcrModelFiles } from './model-files';
import { cropRgb, type Rect, type Rgb } from './pixels';
import { ctcGreedyDecode, keepLine, recInput, REC_BATCH, REC_HEIGHT, recWidth, uprightCrop } from './recognize';

/** Larger images are shrunk to this before OCR (detection runs at ≤ 960 px anyway; crops keep detail). */
export const OCR_MAX_SIDE = 2048;

export interface OcrOptions {
  /** ONNX Runtime intra-op threads (CLIPDEX_THREADS). */
  threads: number;
  /** CLIPDEX_MAX_IMAGE_PIXELS: the same decompression-bomb guard as ingest. */
  maxImagePixels: number;
  /** Deadline per image, in ms (CLIPDEX_OCR_TIMEOUT_MS). */
  timeoutMs: number;
  /** A folder with the model's three files instead of the npm package's. */
  modelDir?: string;
}

export interface OcrLine {
  text: string;
  /** Mean per-character probability, 0–1. */
  confidence: number;
  /** Where it is, in the image's (oriented) pixels. */
  box: Rect;
  /** Reading-order row: boxes of the same row are one line of text. */
  row: number;
}

export interface OcrResult {
  lines: OcrLine[];
  /** What was read: a row's boxes joined by a space, rows by a newline ('' when none). */
  text: string;
  /** false when the deadline stopped it before every box was read (the lines read are kept). */
  complete: boolean;
  /** Boxes found by detection (read or not; at most MAX_BOXES). */
  boxes: number;
  ms: number;
}

export interface OcrEngine {
  /** Load the model now (the first `readText` does it otherwise); rejects with MODEL_MISSING / MODEL_INVALID. */
  ready(): Promise<void>;
  readText(bytes: Buffer): Promise<OcrResult>;
  close(): Promise<void>;
}

interface Loaded {
  det: EncoderSession;
  rec: EncoderSession;
  chars: string[];
  recHeight: number;
}

async function load(files: OcrModelFiles, threads: number): Promise<Loaded> {
  const chars = readDictionary(files.dictionary);
  const det = await openSession(files.detection, threads);
  const rec = await openSession(files.recognition, threads).catch(async (err) => {
    await det.release();
    throw err;
  });
  // The model's declared input height (48 for PP-OCRv4; 32 for older exports).
  const h = rec.inputs[0]?.shape?.[2];
  const classes = rec.outputs[0]?.shape?.[2];
  if (typeof classes === 'number' && classes !== chars.length) {
    await Promise.all([det.release(), rec.release()]);
    throw new AppError('MODEL_INVALID', `OCR recognition model ${files.recognition} has ${classes} classes but its dictionary ${files.dictionary} gives ${chars.length}`);
  }
  return { det, rec, chars, recHeight: typeof h === 'number' && h > 0 ? h : REC_HEIGHT };
}

async function decodeForOcr(bytes: Buffer, maxPixels: number): Promise<Rgb> {
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new AppError('INVALID_INPUT', 'bytes are not a supported image (empty input)');
  return runDecode(async () => {
    const { data, info } = await decodePipeline(bytes, maxPixels)
      .resize({ width: OCR_MAX_SIDE, height: OCR_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, data };
  });
}

/** An OCR engine whose model loads on the first `readText` (a failed load is retried next time). */
export function createOcrEngine(opts: OcrOptions): OcrEngine {
  let loading: Promise<Loaded> | undefined;
  const sessions = () => {
    loading ??= Promise.resolve()
      .then(() => load(ocrModelFiles(opts.modelDir), opts.threads))
      .catch((err) => {
        loading = undefined;
        throw err;
      });
    return loading;
  };
  return {
    async ready() {
      await sessions();
    },
    async readText(bytes) {
      const t0 = performance.now();
      const deadline = t0 + opts.timeoutMs;
      const m = await sessions();
      const img = await decodeForOcr(bytes, opts.maxImagePixels);
      const input = detInput(img);
      const det = await m.det.run({ [m.det.inputs[0].name]: floatTensor(input.data, [1, 3, input.height, input.width]) }, m.det.outputs[0].name);
      const sx = img.width / input.width;
      const sy = img.height / input.height;
      const rows = readingOrder(boxesFromProbMap(det.data, input.width, input.height));
      // Each box keeps its row: boxes of one row are joined with a space, rows with a newline.
      const boxes: (Rect & { row: number })[] = rows
        .flatMap((r, row) => r.map((b) => ({ x: b.x * sx, y: b.y * sy, width: b.width * sx, height: b.height * sy, row })))
        .slice(0, MAX_BOXES);

      // Batches of similar aspect ratio waste least padding (PaddleOCR sorts the same way).
      const crops = boxes.map((box, i) => ({ i, box, crop: uprightCrop(cropRgb(img, box)) }));
      const order = [...crops].sort((a, b) => recWidth(a.crop, m.recHeight) - recWidth(b.crop, m.recHeight));
      const read = new Map<number, OcrLine>();
      let complete = true;
      for (let s = 0; s < order.length; s += REC_BATCH) {
        if (performance.now() > deadline) {
          complete = false;
          break;
        }
        const batch = order.slice(s, s + REC_BATCH);
        const x = recInput(batch.map((c) => c.crop), m.recHeight);
        const out = await m.rec.run({ [m.rec.inputs[0].name]: floatTensor(x.data, [batch.length, 3, m.recHeight, x.width]) }, m.rec.outputs[0].name);
        const [, steps, classes] = out.dims;
        ctcGreedyDecode(out.data, batch.length, steps, classes, m.chars).forEach((d, k) => {
          const text = d.text.trim();
          const { row, ...box } = batch[k].box;
          if (keepLine(text, d.confidence)) read.set(batch[k].i, { text, confidence: d.confidence, box, row });
        });
      }
      const lines = crops.map((c) => read.get(c.i)).filter((l): l is OcrLine => !!l);
      const text = lines.map((l, i) => (i === 0 ? '' : l.row === lines[i - 1].row ? ' ' : '\n') + l.text).join('');
      return { lines, text, complete, boxes: boxes.length, ms: performance.now() - t0 };
    },
    async close() {
      const m = await loading?.catch(() => undefined);
      loading = undefined;
      if (m) await Promise.all([m.det.release(), m.rec.release()]);
    },
  };
}

const g = globalThis as unknown as { __clipdexOcr?: Map<string, OcrEngine> };

/** The process's OCR engine for these options (one per process: the web server and the CLI share the loaded model). */
export function getOcrEngine(opts: OcrOptions): OcrEngine {
  g.__clipdexOcr ??= new Map();
  const key = JSON.stringify([opts.threads, opts.maxImagePixels, opts.timeoutMs, opts.modelDir ?? '']);
  let e = g.__clipdexOcr.get(key);
  if (!e) g.__clipdexOcr.set(key, (e = createOcrEngine(opts)));
  return e;
}
