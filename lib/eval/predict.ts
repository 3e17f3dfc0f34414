/**
 * predict: EasyNLP's feature export. One output line per input line, in order, holding the
 * vector's dimensions separated by tabs, then any `appendCols` of that input line. A blank input
 * line is an error naming it, unless `blankLines: 'empty'` writes an empty line for it, so output
 * line N is always input line N (N + 1 with `skipFirstLine`). The file is written to
 * `<output>.tmp` and renamed only when every line was encoded, so a failed run never leaves a
 * truncated file (an older output file stays as it was). Streaming: memory holds one batch.
 */
import fs from 'node:fs/promises';
import { getConfig } from '../config';
import { AppError } from '../errors';
import { countRecords, detectFormat, readCorpus, type CorpusFormat } from '../corpus';
import { countNonEmptyLines } from '../corpus/line-reader';
import type { EvalModel } from './embed-corpus';
import { lineError, lineLayout, readPredictLines, type PredictInput, type PredictLine } from './predict-lines';

export type { PredictInput };
export type BlankLines = 'error' | 'empty';

export interface PredictOptions {
  input: PredictInput;
  output: string;
  format?: CorpusFormat;
  /** MUGE texts JSONL (with `input: 'text'` its lines are the ones exported). */
  texts?: string;
  /** A blank input line: 'error' (default) stops, naming it; 'empty' writes an empty output line. */
  blankLines?: BlankLines;
  /** Input columns copied after the vector: 1-based numbers or names (EasyNLP's append_cols). */
  appendCols?: string[];
  /** Skip the first line (a header); its cells name the columns for `appendCols`. */
  skipFirstLine?: boolean;
  batchSize?: number;
  maxLineBytes?: number;
  onProgress?: (processed: number, total: number) => void | Promise<void>;
}

export interface PredictSummary {
  output: string;
  /** output lines written: one per input line (the header excluded) */
  lines: number;
  /** of which vectors (the rest are empty lines for blank input lines) */
  vectors: number;
  blank: number;
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

function formatVectorLine(v: Float32Array): string {
  const parts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) parts[i] = formatFloat32(v[i]);
  return parts.join('\t') + '\n';
}

type Item = Exclude<PredictLine, { blank: true }> & { file?: string };

async function encodeBatch(items: Item[], model: EvalModel, input: PredictInput): Promise<Float32Array[]> {
  if (items.length === 0) return [];
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

/** A folder's images (or captions) in listing order: no lines, so no blank lines or columns. */
async function* folderLines(path: string, input: PredictInput, maxLineBytes: number): AsyncGenerator<Item> {
  for await (const rec of readCorpus(path, { format: 'folder', maxLineBytes })) {
    const where = { line: rec.line, ...('file' in rec && rec.file ? { file: rec.file } : {}) };
    if (rec.kind === 'error') throw lineError(where, rec.reason);
    if (rec.kind !== 'image') continue;
    if (input === 'image') yield { ...where, image: rec.image, extra: [] };
    else if (!rec.caption) throw lineError(where, 'the image has no caption (.txt) to encode as text');
    else yield { ...where, text: rec.caption, extra: [] };
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
  let lines: AsyncIterable<PredictLine>;
  let total: number;
  if (format === 'folder') {
    if (opts.appendCols?.length || opts.skipFirstLine) throw new AppError('INVALID_INPUT', `${path} is a folder: --append-cols and --skip-first-line apply to line files`);
    lines = folderLines(path, opts.input, maxLineBytes);
    total = await countRecords(path, { format });
  } else {
    const layout = lineLayout(path, format, opts.input, opts.texts);
    lines = readPredictLines(layout, { input: opts.input, maxLineBytes, skipFirstLine: opts.skipFirstLine, appendCols: opts.appendCols });
    total = await countNonEmptyLines(layout.file);
  }
  const blankLines = opts.blankLines ?? 'error';
  const tmp = `${opts.output}.tmp`;
  const fh = await fs.open(tmp, 'w');
  let written = 0;
  let vectors = 0;
  let blanks = 0;
  let closed = false;
  try {
    let batch: PredictLine[] = [];
    const flush = async () => {
      const items = batch.filter((b): b is Item => !b.blank);
      const vecs = await encodeBatch(items, model, opts.input);
      let v = 0;
      const out = batch.map((b) => (b.blank ? '\n' : appendTo(formatVectorLine(vecs[v++]), b.extra)));
      await fh.write(out.join(''));
      written += batch.length;
      vectors += items.length;
      batch = [];
      await opts.onProgress?.(vectors, Math.max(total, vectors));
    };
    for await (const item of lines) {
      if (item.blank) {
        if (blankLines === 'error') {
          throw lineError(
            { line: item.line, file: format === 'muge' && opts.input === 'text' ? opts.texts : undefined },
            'is blank: every input line gets one output line; remove it, or pass --blank-lines empty to write an empty line for it',
          );
        }
        blanks++;
      }
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
  return { output: opts.output, lines: written, vectors, blank: blanks, dim: model.info.dim, seconds: (performance.now() - t0) / 1000 };
}

/** The vector line with the appended columns after it (the line keeps its newline). */
function appendTo(vectorLine: string, extra: string[]): string {
  return extra.length ? `${vectorLine.slice(0, -1)}\t${extra.join('\t')}\n` : vectorLine;
}
