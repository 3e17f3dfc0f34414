/**
 * The lines predict reads, one entry per input line (EasyNLP writes one output line per input
 * line, so blank lines are not skipped silently as the corpus readers do): which file holds the
 * lines that are exported, how one is parsed, and which of its columns `--append-cols` names.
 */
import { AppError } from '../errors';
import type { CorpusFormat, CorpusRecord } from '../corpus';
import { readLines } from '../corpus/line-reader';
import { tooLongReason } from '../corpus/limits';
import { decodeUtf8, isBlank, parseImageLine, parseMugeImageLine, parseMugeTextLine, parsePairLine, parseTextLine, splitColumns } from '../corpus/parse-line';

export type PredictInput = 'text' | 'image';

/** One line of the exported file: a record to encode, a blank line, or the reason it is bad. */
export type PredictLine =
  | { line: number; blank: true }
  | { line: number; blank?: false; text?: string; image?: Buffer; extra: string[] };

/** Where the exported lines are and how to read them. */
export interface LineLayout {
  file: string;
  /** named in messages: the texts JSONL, not the positional file */
  label?: string;
  jsonl: boolean;
  /** names of the columns (TSV) or keys (JSONL) `--append-cols` may use */
  names: string[];
  parse: (line: number, bytes: Buffer) => CorpusRecord;
}

export function lineLayout(path: string, format: CorpusFormat, input: PredictInput, texts?: string): LineLayout {
  switch (format) {
    case 'pairs':
      return { file: path, jsonl: false, names: ['text', 'image'], parse: parsePairLine };
    case 'texts':
      return { file: path, jsonl: false, names: ['text'], parse: parseTextLine };
    case 'images':
      return { file: path, jsonl: false, names: ['image'], parse: parseImageLine };
    case 'muge':
      if (input === 'image') return { file: path, jsonl: false, names: ['image_id', 'image'], parse: parseMugeImageLine };
      if (!texts) throw new AppError('INVALID_INPUT', `--input text on the MUGE layout exports its texts JSONL: give it with --texts (${path} holds the images)`);
      return { file: texts, label: texts, jsonl: true, names: ['text_id', 'text', 'image_ids'], parse: (line, bytes) => parseMugeTextLine(line, bytes, texts) };
    case 'folder':
      throw new AppError('INVALID_INPUT', 'a folder has no lines: predict reads it through the corpus reader');
  }
}

export const lineError = (where: { line: number; file?: string }, reason: string, cause?: unknown) =>
  new AppError('INVALID_INPUT', `${where.file ? `${where.file}: ` : ''}line ${where.line}: ${reason}`, { cause });

/** A column to copy: its 0-based index (TSV) or key (JSONL). */
export type AppendCol = { index: number; name: string } | { key: string; name: string };

/**
 * Resolves `--append-cols` entries (1-based column numbers or names) against the layout's column
 * names, or against the header line when the first line is skipped (EasyNLP's schema names).
 */
export function resolveAppendCols(specs: string[], layout: LineLayout, header?: string[]): AppendCol[] {
  const names = header ?? layout.names;
  return specs.map((spec) => {
    const s = spec.trim();
    if (layout.jsonl) {
      if (/^\d+$/.test(s)) throw new AppError('INVALID_INPUT', `--append-cols ${s}: JSONL lines have no column numbers; name a key (${layout.names.join(', ')}, or any other key of the lines)`);
      if (!s) throw new AppError('INVALID_INPUT', '--append-cols has an empty name');
      return { key: s, name: s };
    }
    if (/^\d+$/.test(s)) {
      const n = Number(s);
      if (n < 1 || n > Math.max(names.length, layout.names.length)) {
        throw new AppError('INVALID_INPUT', `--append-cols ${s}: ${layout.file} has ${names.length} column${names.length === 1 ? '' : 's'} (${names.join(', ')}); use 1 to ${names.length}`);
      }
      return { index: n - 1, name: names[n - 1] ?? s };
    }
    const i = names.indexOf(s);
    if (i < 0) throw new AppError('INVALID_INPUT', `--append-cols ${JSON.stringify(s)}: no such column; the columns are ${names.map((n, j) => `${j + 1}=${n}`).join(', ')}`);
    return { index: i, name: s };
  });
}

function appendedValues(cols: AppendCol[], bytes: Buffer, layout: LineLayout, line: number): string[] {
  if (cols.length === 0) return [];
  const where = { line, file: layout.label };
  if (layout.jsonl) {
    const obj = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>; // parse() already accepted it
    return cols.map((c) => {
      const v = obj['key' in c ? c.key : ''];
      if (v === undefined) throw lineError(where, `has no key "${c.name}" to append (--append-cols)`);
      const s = typeof v === 'string' ? v : JSON.stringify(v);
      if (/[\t\r\n]/.test(s)) throw lineError(where, `"${c.name}" holds a tab or line break, which would break the TSV output (--append-cols)`);
      return s;
    });
  }
  const parts = splitColumns(bytes);
  return cols.map((c) => {
    const col = parts['index' in c ? c.index : -1];
    if (col === undefined) throw lineError(where, `has no column ${'index' in c ? c.index + 1 : c.name} to append (--append-cols)`);
    const d = decodeUtf8(col, `column ${'index' in c ? c.index + 1 : c.name}`);
    if (!d.ok) throw lineError(where, d.reason);
    return d.value;
  });
}

export interface LineReadOptions {
  input: PredictInput;
  maxLineBytes: number;
  skipFirstLine?: boolean;
  appendCols?: string[];
}

/** Every line of the exported file in order; a bad line throws, naming it. */
export async function* readPredictLines(layout: LineLayout, opts: LineReadOptions): AsyncGenerator<PredictLine> {
  let cols: AppendCol[] | undefined = opts.skipFirstLine ? undefined : resolveAppendCols(opts.appendCols ?? [], layout);
  for await (const raw of readLines(layout.file, { maxLineBytes: opts.maxLineBytes })) {
    const where = { line: raw.line, file: layout.label };
    if (opts.skipFirstLine && raw.line === 1) {
      // the header: its cells name the columns for --append-cols (EasyNLP's --skip_first_line)
      const header = 'bytes' in raw && !layout.jsonl ? splitColumns(raw.bytes).map((b) => b.toString('utf8').trim()) : undefined;
      cols = resolveAppendCols(opts.appendCols ?? [], layout, header);
      continue;
    }
    cols ??= resolveAppendCols(opts.appendCols ?? [], layout);
    if ('tooLong' in raw) throw lineError(where, tooLongReason(raw.tooLong, opts.maxLineBytes));
    if (isBlank(raw.bytes)) {
      yield { line: raw.line, blank: true };
      continue;
    }
    const rec = layout.parse(raw.line, raw.bytes);
    if (rec.kind === 'error') throw lineError(where, rec.reason);
    const extra = appendedValues(cols, raw.bytes, layout, raw.line);
    if (opts.input === 'text') {
      if (rec.kind === 'pair' || rec.kind === 'text') yield { line: raw.line, text: rec.text, extra };
      else throw lineError(where, 'holds no text to encode');
    } else if (rec.kind === 'pair' || rec.kind === 'image') yield { line: raw.line, image: rec.image, extra };
    else throw lineError(where, 'holds no image to encode');
  }
}
