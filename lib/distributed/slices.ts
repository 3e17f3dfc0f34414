/**
 * Slices of a line-per-record corpus file: the coordinator finds the last line number (a pass
 * that only splits lines: no decoding), and a worker reads one slice's lines, parsed by the same
 * parsers as the single-process reader, so line numbers and reasons are the same as today.
 */
import type { CorpusFormat, CorpusRecord } from '../corpus';
import { AppError } from '../errors';
import { readLines } from '../corpus/line-reader';
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

/** The number of the file's last line (0 for an empty file). */
export async function lastLineNumber(file: string, maxLineBytes: number): Promise<number> {
  let last = 0;
  for await (const raw of readLines(file, { maxLineBytes })) last = raw.line;
  return last;
}

/** Line ranges [first, last] of `size` lines covering 1..lines. */
export function sliceRanges(lines: number, size: number): { firstLine: number; lastLine: number }[] {
  const out: { firstLine: number; lastLine: number }[] = [];
  for (let first = 1; first <= lines; first += size) out.push({ firstLine: first, lastLine: Math.min(lines, first + size - 1) });
  return out;
}

/**
 * The records of lines first..last. The file is read from its start (a gzip'd file cannot seek),
 * splitting lines only until the slice begins: the cost of reaching a slice grows with its offset
 * (docs/SCALING.md: byte offsets are the next step for corpora of millions of lines).
 */
export async function readSlice(file: string, format: CorpusFormat, first: number, last: number, maxLineBytes: number): Promise<CorpusRecord[]> {
  checkSliceable(format);
  const parse = PARSERS[format]!;
  const out: CorpusRecord[] = [];
  const lines = readLines(file, { maxLineBytes });
  for await (const raw of lines) {
    if (raw.line < first) continue;
    if (raw.line > last) break;
    if ('tooLong' in raw) out.push({ kind: 'error', line: raw.line, reason: tooLongReason(raw.tooLong, maxLineBytes) });
    else if (!isBlank(raw.bytes)) out.push(parse(raw.line, raw.bytes));
  }
  await lines.return?.(undefined);
  return out;
}
