/**
 * predict: EasyNLP's feature export. One output line per input record, in order, holding the
 * vector's dimensions separated by tabs. The file is written to `<output>.tmp` and renamed only
 * when every line was encoded, so a failed run never leaves a truncated file (an older output
 * file stays as it was). Streaming: memory holds one batch, whatever the corpus size.
 */
import fs from 'node:fs/promises';
import { getConfig } from '../config';
import { AppError } from '../errors';
import { countRecords, detectFormat, readCorpus, type CorpusFormat, type CorpusRecord } from '../corpus';
import type { EvalModel } from './embed-corpus';

export type PredictInput = 'text' | 'image';

export interface PredictOptions {
  input: PredictInput;
  output: string;
  format?: CorpusFormat;
  /** MUGE texts JSONL (with `input: 'text'` its lines are the ones exported). */
  texts?: string;
  batchSize?: number;
  maxLineBytes?: number;
  onProgress?: (processed: number, total: number) => void | Promise<void>;
}

export interface PredictSummary {
  output: string;
  lines: number;
  dim: number;
  seconds: number;
}

/** Shortest decimal that reads back as the same float32 (≤ 9 significant digits). */
export function formatFloat32(x: number): string {
  for (let p = 6; p < 9; p++) {
    const n = Number(x.toPrecision(p));
    if (Math.fround(n) === x) return String(n);
  }
  return String(Number(x.toPrecision(9)));
}

export function formatVectorLine(v: Float32Array): string {
  const parts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) parts[i] = formatFloat32(v[i]);
  return parts.join('\t') + '\n';
}

type Item = { line: number; file?: string; text?: string; image?: Buffer };

const lineError = (item: { line: number; file?: string }, reason: string, cause?: unknown) =>
  new AppError('INVALID_INPUT', `${item.file ? `${item.file}: ` : ''}line ${item.line}: ${reason}`, { cause });

/** Picks the column `input` names out of a record, or says why the record cannot give it. */
function pick(rec: CorpusRecord, input: PredictInput, format: CorpusFormat): Item | 'other' {
  const where = { line: rec.line, ...('file' in rec && rec.file ? { file: rec.file } : {}) };
  if (rec.kind === 'error') throw lineError(where, rec.reason);
  if (input === 'text') {
    if (rec.kind === 'pair') return { ...where, text: rec.text };
    if (rec.kind === 'text') return { ...where, text: rec.text };
    if (rec.kind === 'image' && format === 'folder') {
      if (!rec.caption) throw lineError(where, 'the image has no caption (.txt) to encode as text');
      return { ...where, text: rec.caption };
    }
    return 'other';
  }
  if (rec.kind === 'pair' || rec.kind === 'image') return { ...where, image: rec.image };
  return 'other';
}

async function encodeBatch(items: Item[], model: EvalModel, input: PredictInput): Promise<Float32Array[]> {
  if (input === 'image') {
    const pixels: Float32Array[] = [];
    for (const it of items) {
      try {
        pixels.push(await model.preprocessImage(it.image!));
      } catch (err) {
        throw lineError(it, err instanceof Error ? err.message : String(err), err);
      }
    }
    return model.encodePixels(pixels);
  }
  try {
    return await model.encodeTexts(items.map((it) => it.text!));
  } catch (err) {
    // find the line to blame: encode one by one
    for (const it of items) {
      try {
        await model.encodeTexts([it.text!]);
      } catch (e) {
        throw lineError(it, e instanceof Error ? e.message : String(e), e);
      }
    }
    throw err;
  }
}

export async function predictFeatures(path: string, model: EvalModel, opts: PredictOptions): Promise<PredictSummary> {
  const t0 = performance.now();
  const cfg = getConfig();
  const maxLineBytes = opts.maxLineBytes ?? cfg.maxLineBytes;
  const batchSize = opts.batchSize ?? cfg.batchSize;
  const format = opts.format ?? (await detectFormat(path, { texts: opts.texts, maxLineBytes }));
  if ((format === 'texts' && opts.input === 'image') || (format === 'images' && opts.input === 'text')) {
    throw new AppError('INVALID_INPUT', `${path} holds only ${format}: use --input ${format === 'texts' ? 'text' : 'image'}`);
  }
  const countOpts = { format, texts: opts.texts, maxLineBytes };
  const total = format === 'muge' ? 0 : await countRecords(path, countOpts);
  const tmp = `${opts.output}.tmp`;
  const fh = await fs.open(tmp, 'w');
  let lines = 0;
  let closed = false;
  try {
    let batch: Item[] = [];
    const flush = async () => {
      const vecs = await encodeBatch(batch, model, opts.input);
      await fh.write(vecs.map(formatVectorLine).join(''));
      lines += batch.length;
      batch = [];
      await opts.onProgress?.(lines, Math.max(total, lines));
    };
    for await (const rec of readCorpus(path, countOpts)) {
      const item = pick(rec, opts.input, format);
      if (item === 'other') continue;
      batch.push(item);
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    await fh.sync();
    await fh.close();
    closed = true;
    await fs.rename(tmp, opts.output);
  } catch (err) {
    if (!closed) await fh.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return { output: opts.output, lines, dim: model.info.dim, seconds: (performance.now() - t0) / 1000 };
}
