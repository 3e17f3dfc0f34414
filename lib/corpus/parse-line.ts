/**
 * Turns one raw line into a CorpusRecord. Every failure becomes an `error` record whose reason
 * names the column and what was expected, so a reader can keep going with the next line.
 */
import { decodeBase64Strict } from './base64';
import { MAX_TEXT_BYTES } from './limits';
import type { CorpusRecord } from './types';

const TAB = 0x09;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function splitColumns(bytes: Buffer): Buffer[] {
  const cols: Buffer[] = [];
  let start = 0;
  for (;;) {
    const t = bytes.indexOf(TAB, start);
    if (t < 0) break;
    cols.push(bytes.subarray(start, t));
    start = t + 1;
  }
  cols.push(bytes.subarray(start));
  return cols;
}

/** True for lines with nothing but spaces/tabs (skipped silently). */
export function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== TAB && b !== 0x0d) return false;
  }
  return true;
}

type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export function decodeUtf8(bytes: Buffer, what: string): Decoded<string> {
  try {
    return { ok: true, value: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: `${what} is not valid UTF-8 (at byte ${firstBadUtf8(bytes) + 1})` };
  }
}

/** Offset of the first byte where the UTF-8 decoder gives up (for the error message). */
function firstBadUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (n === 0 || i + n > b.length) return i;
    try {
      utf8.decode(b.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return i;
}

// Anything but controls (Cc), format characters (Cf: BOM, zero-width joiners, BiDi marks) and spaces.
const VISIBLE = /[^\p{Cc}\p{Cf}\p{Z}\s]/u;
// A lone UTF-16 surrogate: only a JSON "\ud800" escape can make one (decoded UTF-8 never does).
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why a decoded, trimmed, non-empty text cannot be stored, or undefined. NUL is refused on every
 * database, not only on PostgreSQL (whose text type cannot hold it): a corpus then ingests the same
 * way whatever the engine, and no caption needs a NUL. The same goes for a text over MAX_TEXT_BYTES.
 * Text made only of control or invisible characters (a file of NUL bytes, a line of escape codes)
 * is no caption either.
 */
export function textProblem(text: string, what: string): string | undefined {
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    return `${what} contains a NUL character (U+0000) at character ${nul + 1}, which PostgreSQL cannot store (clipdex refuses it on every database)`;
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_TEXT_BYTES) {
    return `${what} is ${bytes} bytes (UTF-8), over the ${MAX_TEXT_BYTES}-byte limit for one text (PostgreSQL cannot index longer ones; clipdex refuses them on every database)`;
  }
  if (LONE_SURROGATE.test(text)) return `${what} contains an unpaired UTF-16 surrogate, which is not valid Unicode`;
  if (!VISIBLE.test(text)) return `${what} has no visible characters (only control, format or space characters)`;
  return undefined;
}

function textColumn(bytes: Buffer, what: string): Decoded<string> {
  const d = decodeUtf8(bytes, what);
  if (!d.ok) return d;
  const text = d.value.trim();
  if (text === '') return { ok: false, reason: `${what} is empty` };
  const problem = textProblem(text, what);
  return problem ? { ok: false, reason: problem } : { ok: true, value: text };
}

function imageColumn(bytes: Buffer, what: string): Decoded<Buffer> {
  const r = decodeBase64Strict(trimSpaces(bytes));
  return r.ok ? { ok: true, value: r.bytes } : { ok: false, reason: `${what} is not valid base64: it ${r.reason}` };
}

function trimSpaces(b: Buffer): Buffer {
  let s = 0;
  let e = b.length;
  while (s < e && b[s] === 0x20) s++;
  while (e > s && b[e - 1] === 0x20) e--;
  return b.subarray(s, e);
}

const columnsError = (line: number, want: string, n: number): CorpusRecord => ({
  kind: 'error',
  line,
  reason: `expected ${want}, found ${n} column${n === 1 ? '' : 's'}`,
});

/** EasyNLP pairs: `text<TAB>base64 image`. */
export function parsePairLine(line: number, bytes: Buffer): CorpusRecord {
  const cols = splitColumns(bytes);
  if (cols.length !== 2) return columnsError(line, '2 tab-separated columns (text, base64 image)', cols.length);
  const text = textColumn(cols[0], 'column 1 (text)');
  if (!text.ok) return { kind: 'error', line, reason: text.reason };
  const image = imageColumn(cols[1], 'column 2 (image)');
  if (!image.ok) return { kind: 'error', line, reason: image.reason };
  return { kind: 'pair', line, text: text.value, image: image.value };
}

/** One text a line. */
export function parseTextLine(line: number, bytes: Buffer): CorpusRecord {
  const cols = splitColumns(bytes);
  if (cols.length !== 1) return columnsError(line, '1 column (text)', cols.length);
  const text = textColumn(cols[0], 'text');
  return text.ok ? { kind: 'text', line, text: text.value } : { kind: 'error', line, reason: text.reason };
}

/** One base64 image a line. */
export function parseImageLine(line: number, bytes: Buffer): CorpusRecord {
  const cols = splitColumns(bytes);
  if (cols.length !== 1) return columnsError(line, '1 column (base64 image)', cols.length);
  const image = imageColumn(cols[0], 'image');
  return image.ok ? { kind: 'image', line, image: image.value } : { kind: 'error', line, reason: image.reason };
}

/** Chinese-CLIP / MUGE image TSV: `image_id<TAB>base64 image`. */
export function parseMugeImageLine(line: number, bytes: Buffer): CorpusRecord {
  const cols = splitColumns(bytes);
  if (cols.length !== 2) return columnsError(line, '2 tab-separated columns (image id, base64 image)', cols.length);
  const id = textColumn(cols[0], 'column 1 (image id)');
  if (!id.ok) return { kind: 'error', line, reason: id.reason };
  const image = imageColumn(cols[1], 'column 2 (image)');
  if (!image.ok) return { kind: 'error', line, reason: image.reason };
  return { kind: 'image', line, image: image.value, imageId: id.value };
}

const escapeControls = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/**
 * A MUGE id as a string, or why it is none: undefined for a wrong type, a reason for a string
 * that cannot be stored (ids are stored and looked up, so the text rules apply to them too).
 */
function idOf(v: unknown, what: string): { id?: string; problem?: string } {
  if (typeof v === 'number' && Number.isFinite(v)) return { id: String(v) };
  if (typeof v !== 'string' || v.trim() === '') return {};
  const problem = textProblem(v.trim(), what);
  return problem ? { problem } : { id: v.trim() };
}

/** Chinese-CLIP / MUGE texts JSONL: `{"text_id": …, "text": "…", "image_ids": [ … ]}`. */
export function parseMugeTextLine(line: number, bytes: Buffer, file: string): CorpusRecord {
  const err = (reason: string): CorpusRecord => ({ kind: 'error', line, reason, file });
  const s = decodeUtf8(bytes, 'line');
  if (!s.ok) return err(s.reason);
  let obj: unknown;
  try {
    obj = JSON.parse(s.value);
  } catch (e) {
    // V8 quotes the bad input in its message: a raw NUL there would make the reason itself
    // unstorable on PostgreSQL (JobLineError), so control characters are shown escaped.
    return err(`is not valid JSON (${escapeControls((e as Error).message)})`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return err('expected a JSON object {"text_id","text","image_ids"}');
  const o = obj as Record<string, unknown>;
  const { id: textId, problem: idProblem } = idOf(o.text_id, '"text_id"');
  if (idProblem) return err(idProblem);
  if (textId === undefined) return err(`"text_id" must be a non-empty string or a number, got ${JSON.stringify(o.text_id) ?? 'nothing'}`);
  if (typeof o.text !== 'string') return err(`"text" must be a string, got ${JSON.stringify(o.text) ?? 'nothing'}`);
  const text = o.text.trim();
  if (text === '') return err('"text" is empty');
  const problem = textProblem(text, '"text"');
  if (problem) return err(problem);
  const raw = o.image_ids ?? [];
  if (!Array.isArray(raw)) return err(`"image_ids" must be an array, got ${JSON.stringify(raw)}`);
  const imageIds: string[] = [];
  for (const v of raw) {
    const { id, problem: p } = idOf(v, `image id ${JSON.stringify(v)}`);
    if (p) return err(p);
    if (id === undefined) return err(`"image_ids" holds ${JSON.stringify(v)}, not a string or number id`);
    imageIds.push(id);
  }
  return { kind: 'text', line, text, textId, imageIds };
}
