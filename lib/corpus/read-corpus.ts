/**
 * readCorpus: one async generator over every format. Memory is bounded by the longest accepted
 * line (maxLineBytes), never by the corpus size.
 */
import { getConfig } from '../config';
import { AppError } from '../errors';
import { detectFormat, statOrThrow } from './detect';
import { readFolder, listImageFiles } from './folder';
import { countNonEmptyLines, readLines } from './line-reader';
import { tooLongReason } from './limits';
import {
  isBlank,
  parseImageLine,
  parseMugeImageLine,
  parseMugeTextLine,
  parsePairLine,
  parseTextLine,
} from './parse-line';
import type { CorpusFormat, CorpusRecord, ReadCorpusOptions } from './types';

type LineParser = (line: number, bytes: Buffer) => CorpusRecord;

async function* readLineFile(
  file: string,
  parse: LineParser,
  maxLineBytes: number,
  errorFile?: string,
): AsyncGenerator<CorpusRecord> {
  for await (const raw of readLines(file, { maxLineBytes })) {
    if ('tooLong' in raw) {
      const rec: CorpusRecord = { kind: 'error', line: raw.line, reason: tooLongReason(raw.tooLong, maxLineBytes) };
      yield errorFile ? { ...rec, file: errorFile } : rec;
      continue;
    }
    if (isBlank(raw.bytes)) continue;
    yield parse(raw.line, raw.bytes);
  }
}

const limitOf = (opts: ReadCorpusOptions) => opts.maxLineBytes ?? getConfig().maxLineBytes;

export async function* readCorpus(p: string, opts: ReadCorpusOptions = {}): AsyncGenerator<CorpusRecord> {
  const maxLineBytes = limitOf(opts);
  const format: CorpusFormat = opts.format ?? (await detectFormat(p, { texts: opts.texts, maxLineBytes }));
  const st = await statOrThrow(p);
  if (format === 'folder' && !st.isDirectory()) throw new AppError('INVALID_INPUT', `--format folder needs a directory, got the file ${p}`);
  if (format !== 'folder' && st.isDirectory()) throw new AppError('INVALID_INPUT', `${p} is a directory: use --format folder (or leave --format out)`);
  switch (format) {
    case 'folder':
      yield* readFolder(p, maxLineBytes);
      return;
    case 'pairs':
      yield* readLineFile(p, parsePairLine, maxLineBytes);
      return;
    case 'texts':
      yield* readLineFile(p, parseTextLine, maxLineBytes);
      return;
    case 'images':
      yield* readLineFile(p, parseImageLine, maxLineBytes);
      return;
    case 'muge': {
      const texts = opts.texts;
      if (!texts) throw new AppError('INVALID_INPUT', 'the muge format needs the texts JSONL (--texts FILE.jsonl) beside the image TSV');
      await statOrThrow(texts, 'texts JSONL');
      yield* readLineFile(p, parseMugeImageLine, maxLineBytes);
      yield* readLineFile(texts, (line, bytes) => parseMugeTextLine(line, bytes, texts), maxLineBytes, texts);
      return;
    }
    default: {
      const never: never = format;
      throw new AppError('INVALID_INPUT', `unknown corpus format ${String(never)}`);
    }
  }
}

/**
 * Records readCorpus will yield (error records included), from a fast pass that only counts
 * non-blank lines (or image files); for progress totals, not validation.
 */
export async function countRecords(p: string, opts: ReadCorpusOptions = {}): Promise<number> {
  const format = opts.format ?? (await detectFormat(p, { texts: opts.texts, maxLineBytes: limitOf(opts) }));
  if (format === 'folder') return (await listImageFiles(p)).length;
  const n = await countNonEmptyLines(p);
  if (format === 'muge' && opts.texts) return n + (await countNonEmptyLines(opts.texts));
  return n;
}
