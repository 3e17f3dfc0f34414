/**
 * Embeds a validation file in memory for evaluation, without ingesting it: the corpus is streamed
 * (lib/corpus) and encoded a batch at a time (lib/clip). Identical images (sha256 of their bytes)
 * and identical texts become one row each, and the links of every line are kept, so duplicates
 * end up as positives of each other. Lines that cannot be read or encoded are skipped and listed.
 * Every line read is also kept in file order (`rows`), pointing at its rows of the matrices, for
 * the reference protocols (protocols.ts), which count one candidate per line or per id.
 * In distributed mode the same pass runs with `queued` (run-queued.ts): the workers' image vectors
 * looked up, the text batches listed for them, so the set is the very one built here otherwise.
 */
import { createHash } from 'node:crypto';
import { getConfig } from '../config';
import { AppError } from '../errors';
import { countRecords, detectFormat, readCorpus, type CorpusFormat, type CorpusRecord } from '../corpus';
import type { CorpusRows } from './corpus-rows';
import { modelEncoder, queuedEncoder, type EvalModel, type QueuedVectors } from './eval-vectors';
import type { EvalSet } from './evaluate';
import { MatrixBuilder } from './matrix';
import type { Link } from './recall';

export type { EvalModel } from './eval-vectors';

export interface SkippedLine {
  line: number;
  reason: string;
  file?: string;
}

export interface EmbedCorpusOptions {
  format?: CorpusFormat;
  /** MUGE / Chinese-CLIP texts JSONL. */
  texts?: string;
  /**
   * Encode MUGE texts that name no image of the TSV too (Chinese-CLIP counts them as misses and
   * as image→text candidates) instead of skipping them. They get no link.
   */
  keepUnlinkedTexts?: boolean;
  batchSize?: number;
  maxLineBytes?: number;
  onProgress?: (processed: number, total: number) => void | Promise<void>;
  /**
   * A distributed evaluate (run-queued.ts): image vectors the workers embedded are looked up instead
   * of running the model, and the text batches are listed for the workers, their rows left zero;
   * everything else (order, links, skipped lines) as without it.
   */
  queued?: QueuedVectors;
}

export type { PairRow, MugeImageRow, MugeTextRow, CorpusRows } from './corpus-rows';

export interface EmbeddedCorpus extends EvalSet {
  format: CorpusFormat;
  rows: CorpusRows;
  skipped: SkippedLine[];
  /** Doubts about the whole file (not tied to a line), for the user to read. */
  warnings: string[];
  seconds: number;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** One line's worth of work: an image to place, a text to place, and the links between them. */
interface Row {
  line: number;
  file?: string;
  image?: { bytes: Buffer; id?: string };
  text?: { value: string; imageIds?: string[]; textId?: string };
}

export async function embedCorpusForEval(path: string, model: EvalModel, opts: EmbedCorpusOptions = {}): Promise<EmbeddedCorpus> {
  const t0 = performance.now();
  const cfg = getConfig();
  const maxLineBytes = opts.maxLineBytes ?? cfg.maxLineBytes;
  const batchSize = opts.batchSize ?? cfg.batchSize;
  const format = opts.format ?? (await detectFormat(path, { texts: opts.texts, maxLineBytes }));
  if (format === 'texts' || format === 'images') {
    throw new AppError(
      'INVALID_INPUT',
      `${path} holds only ${format}: evaluation needs image-text pairs (text<TAB>base64 image), a MUGE image TSV with --texts, or a folder of captioned images`,
    );
  }
  const total = await countRecords(path, { format, texts: opts.texts, maxLineBytes });
  const dim = model.info.dim;
  const encoder = opts.queued ? queuedEncoder(opts.queued, dim, path) : modelEncoder(model);
  const images = new MatrixBuilder(dim);
  const texts = new MatrixBuilder(dim);
  const imageBySha = new Map<string, number>();
  const badSha = new Map<string, string>();
  const imageById = new Map<string, number>();
  const textByValue = new Map<string, number>();
  const linkKeys = new Set<string>();
  const links: Link[] = [];
  const skipped: SkippedLine[] = [];
  const read: CorpusRows = { pairs: [], mugeImages: [], mugeTexts: [] };
  let numericCaptions = 0;
  let processed = 0;

  const skip = (row: { line: number; file?: string }, reason: string) =>
    skipped.push(row.file ? { line: row.line, reason, file: row.file } : { line: row.line, reason });
  const link = (text: number, image: number) => {
    const key = `${text}:${image}`;
    if (!linkKeys.has(key)) {
      linkKeys.add(key);
      links.push({ text, image });
    }
  };

  async function flush(rows: Row[]): Promise<void> {
    // 1. images: known by sha256, else encoded once per distinct new image (one that cannot be read is skipped)
    const newImages: { sha: string; bytes: Buffer }[] = [];
    const pendingSha = new Set<string>();
    const shaOf: (string | undefined)[] = rows.map((row) => {
      if (!row.image) return undefined;
      const sha = sha256(row.image.bytes);
      if (!imageBySha.has(sha) && !badSha.has(sha) && !pendingSha.has(sha)) {
        pendingSha.add(sha);
        newImages.push({ sha, bytes: row.image.bytes });
      }
      return sha;
    });
    if (newImages.length > 0) {
      const vecs = await encoder.images(newImages);
      vecs.forEach((v, i) => (typeof v === 'string' ? badSha.set(newImages[i].sha, v) : imageBySha.set(newImages[i].sha, images.push(v))));
    }
    const rowImage: (string | undefined)[] = []; // sha per row, undefined when the row is skipped
    rows.forEach((row, r) => {
      const sha = shaOf[r];
      const bad = sha === undefined ? undefined : badSha.get(sha);
      if (bad !== undefined) skip(row, bad);
      rowImage.push(bad === undefined ? sha : undefined);
    });

    // 2. texts: known by value, else encoded once per distinct new text; MUGE texts need an image
    const newTexts: string[] = [];
    const rowText: (string | undefined)[] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (!row.text || (row.image && rowImage[r] === undefined)) {
        rowText.push(undefined);
        continue;
      }
      if (row.text.imageIds && !opts.keepUnlinkedTexts && !row.text.imageIds.some((id) => imageById.has(id))) {
        skip(row, `none of its image_ids (${row.text.imageIds.join(', ') || 'none'}) is an image of the TSV`);
        rowText.push(undefined);
        continue;
      }
      const value = row.text.value;
      if (!textByValue.has(value) && !newTexts.includes(value)) newTexts.push(value);
      rowText.push(value);
    }
    if (newTexts.length > 0) {
      const vecs = await encoder.texts(newTexts);
      vecs.forEach((v, i) => textByValue.set(newTexts[i], texts.push(v)));
    }

    // 3. links
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const sha = rowImage[r];
      const imageIndex = sha === undefined ? undefined : imageBySha.get(sha)!;
      if (imageIndex !== undefined && row.image?.id !== undefined) {
        imageById.set(row.image.id, imageIndex);
        read.mugeImages.push({ line: row.line, id: row.image.id, image: imageIndex });
      }
      const text = rowText[r];
      if (text === undefined) continue;
      const t = textByValue.get(text)!;
      if (row.text?.imageIds) read.mugeTexts.push({ line: row.line, textId: row.text.textId ?? '', text: t, imageIds: row.text.imageIds });
      if (imageIndex !== undefined) {
        link(t, imageIndex);
        read.pairs.push({ line: row.line, text: t, image: imageIndex });
        if (/^\d+$/.test(text)) numericCaptions++;
      }
      for (const id of row.text?.imageIds ?? []) {
        const i = imageById.get(id);
        if (i !== undefined) link(t, i);
      }
    }
    processed += rows.length;
    await opts.onProgress?.(processed, total);
  }

  let batch: Row[] = [];
  for await (const rec of readCorpus(path, { format, texts: opts.texts, maxLineBytes })) {
    const row = toRow(rec, opts.texts);
    if (typeof row === 'string') {
      skip({ line: rec.line, file: 'file' in rec ? rec.file : undefined }, row);
      processed++;
      continue;
    }
    // MUGE texts name image ids: every image must be placed before the first text
    if (row.text?.imageIds && batch.some((b) => b.image)) {
      await flush(batch);
      batch = [];
    }
    batch.push(row);
    if (batch.length >= batchSize) {
      await flush(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await flush(batch);

  // batches report their failures after the reader's: put the list back in file order
  skipped.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line);
  const warnings: string[] = [];
  // detection reads `id<TAB>base64` as pairs: say so when the "captions" all look like MUGE ids
  if (format === 'pairs' && !opts.format && read.pairs.length > 0 && numericCaptions === read.pairs.length) {
    warnings.push(
      `every caption in column 1 of ${path} is a number: if it is a Chinese-CLIP/MUGE image TSV (image id<TAB>base64), give its texts JSONL with --texts`,
    );
  }
  return {
    format,
    images: images.build(),
    texts: texts.build(),
    links,
    rows: read,
    skipped,
    warnings,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** A record as work to do, or the reason it is skipped. */
function toRow(rec: CorpusRecord, textsFile?: string): Row | string {
  const file = 'file' in rec && rec.file ? rec.file : rec.kind === 'text' ? textsFile : undefined;
  const where = { line: rec.line, ...(file ? { file } : {}) };
  switch (rec.kind) {
    case 'error':
      return rec.reason;
    case 'pair':
      return { ...where, image: { bytes: rec.image }, text: { value: rec.text } };
    case 'image':
      if (rec.imageId !== undefined) return { ...where, image: { bytes: rec.image, id: rec.imageId } };
      if (rec.caption) return { ...where, image: { bytes: rec.image }, text: { value: rec.caption } };
      return 'the image has no caption to evaluate against';
    case 'text':
      return { ...where, text: { value: rec.text, imageIds: rec.imageIds ?? [], textId: rec.textId } };
  }
}
