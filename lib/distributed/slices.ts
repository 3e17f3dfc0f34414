/**
 * Slices of a line-per-record corpus file: the coordinator finds the last line number (a pass
 * that only splits lines: no decoding), and a worker reads one slice's lines, parsed by the same
 * parsers as the single-process reader, so line numbers and reasons are the same as today.
 */
import type { CorpusFormat, CorpusRecord } from '../corpus';
import { AppError } from '../errors';
import { readLines } from '../corpus/line-reader';
import { isGzipFile, readBytes } from '../corpus/open-stream';
import { tooLongReason } from '../corpus/limits';
import { isBlank, parseImageLine, parsePairLine, parseTextLine } from '../corpus/parse-line';

const PARSERS: Partial<Record<CorpusFormat, (line: number, bytes: Buffer) => CorpusRecord>> = {
  pairs: parsePairLine,
  texts: parseTextLine,
  images: parseImageLine,
};

/** Refuse formats whose records depend on other lines (MUGE links texts to images by id) or are not lines (folders). */
export function checkSliceable(format: CorpusFormat): void {
  if (!PARSERS[format]) {
    throw new AppError(
      'INVALID_INPUT',
      `the ${format} format cannot be ingested in distributed mode yet (only pairs, texts and images files can): unset REDIS_URL to ingest it in this process`,
    );
  }
}

/** Line ranges [first, last] of `size` lines covering 1..lines. */
export function sliceRanges(lines: number, size: number): { firstLine: number; lastLine: number }[] {
  const out: { firstLine: number; lastLine: number }[] = [];
  for (let first = 1; first <= lines; first += size) out.push({ firstLine: first, lastLine: Math.min(lines, first + size - 1) });
  return out;
}

export interface SliceRange {
  firstLine: number;
  lastLine: number;
  /** Where `firstLine` begins in the file; absent for a gzip'd file (read from its start). */
  startByte?: number;
}

/**
 * Slices of `size` lines covering the whole file, each with the byte its first line begins at, in
 * one pass that only looks for newlines: a worker then seeks to its slice instead of splitting
 * every line before it (reading slice k cost k slices' worth of lines: O(n²) over a file).
 * Lines are numbered as readLines numbers them: one per LF, plus a last line without one.
 */
export async function sliceStarts(file: string, size: number): Promise<SliceRange[]> {
  const gzip = await isGzipFile(file);
  const starts: number[] = [0];
  let pos = 0; // bytes before the current chunk
  let lfs = 0;
  let tail = 0; // bytes after the last LF
  for await (const chunk of readBytes(file, 1 << 20)) {
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, nl + 1)) {
      lfs++;
      if (lfs % size === 0) starts.push(pos + nl + 1);
    }
    const lastNl = chunk.lastIndexOf(0x0a);
    tail = lastNl >= 0 ? chunk.length - lastNl - 1 : tail + chunk.length;
    pos += chunk.length;
  }
  const lines = lfs + (tail > 0 ? 1 : 0);
  return sliceRanges(lines, size).map((r, k) => (gzip ? r : { ...r, startByte: starts[k] }));
}

/**
 * The records of lines first..last. With `startByte` (sliceStarts) the read begins there;
 * without it (a gzip'd file cannot seek) the file is read from its start, splitting lines only
 * until the slice begins.
 */
export async function readSlice(file: string, format: CorpusFormat, first: number, last: number, maxLineBytes: number, startByte?: number): Promise<CorpusRecord[]> {
  checkSliceable(format);
  return readLineRecords(file, PARSERS[format]!, first, last, maxLineBytes, startByte);
}

/** Lines first..last through one line parser (blank lines skipped, over-long ones as errors), from `startByte` when given. */
export async function readLineRecords(
  file: string,
  parse: (line: number, bytes: Buffer) => CorpusRecord,
  first: number,
  last: number,
  maxLineBytes: number,
  startByte?: number,
): Promise<CorpusRecord[]> {
  const out: CorpusRecord[] = [];
  const lines = readLines(file, { maxLineBytes, ...(startByte !== undefined ? { start: { byte: startByte, line: first } } : {}) });
  for await (const raw of lines) {
    if (raw.line < first) continue;
    if (raw.line > last) break;
    if ('tooLong' in raw) out.push({ kind: 'error', line: raw.line, reason: tooLongReason(raw.tooLong, maxLineBytes) });
    else if (!isBlank(raw.bytes)) out.push(parse(raw.line, raw.bytes));
  }
  await lines.return?.(undefined);
  return out;
}
