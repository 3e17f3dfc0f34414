/**
 * Byte-level line splitter over a file stream. Lines are yielded as bytes (no string decoding
 * here, so invalid UTF-8 can be reported per line by the caller), with 1-based line numbers.
 * A line longer than `maxLineBytes` is never buffered: once it crosses the limit its bytes are
 * only counted until the next newline, and a `tooLong` entry carries the full size.
 * A gzip'd file is read decompressed (open-stream.ts).
 */
import { readBytes } from './open-stream';

export type RawLine =
  | { line: number; bytes: Buffer }
  | { line: number; tooLong: number };

const LF = 0x0a;
const CR = 0x0d;

export interface LineReaderOptions {
  maxLineBytes: number;
  /** Bytes read per chunk; tests use a tiny value to exercise lines split across chunks. */
  chunkBytes?: number;
  /** Begin at a line start found by an earlier pass (a plain file only): its byte offset and its line number. */
  start?: { byte: number; line: number };
}

export async function* readLines(file: string, opts: LineReaderOptions): AsyncGenerator<RawLine> {
  const { maxLineBytes } = opts;
  const chunks = readBytes(file, opts.chunkBytes ?? 1 << 20, opts.start?.byte ?? 0);
  let parts: Buffer[] = [];
  let partLen = 0;
  let overflow = 0; // > 0 while skipping an over-long line: bytes seen so far
  let lastWasCr = false; // last byte appended to the current line (a CRLF's CR is not counted)
  let lineNo = opts.start ? opts.start.line - 1 : 0;
  let first = !opts.start?.byte; // a byte-order mark can only open the file

  const finish = (tail: Buffer | undefined): RawLine => {
    lineNo += 1;
    if (overflow > 0) {
      const size = overflow - (lastWasCr ? 1 : 0);
      overflow = 0;
      return { line: lineNo, tooLong: size };
    }
    let bytes: Buffer;
    if (partLen === 0) bytes = tail ?? Buffer.alloc(0);
    else bytes = Buffer.concat(tail ? [...parts, tail] : parts);
    parts = [];
    partLen = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    if (first) {
      first = false;
      if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    if (bytes.length > maxLineBytes) return { line: lineNo, tooLong: bytes.length };
    return { line: lineNo, bytes };
  };

  // Adds a piece of the current line without its newline; switches to counting once over the limit.
  const append = (piece: Buffer) => {
    if (piece.length === 0) return;
    lastWasCr = piece[piece.length - 1] === CR;
    if (overflow > 0) {
      overflow += piece.length;
    } else if (partLen + piece.length > maxLineBytes + 1) {
      // +1 leaves room for a CR that belongs to a CRLF line end.
      overflow = partLen + piece.length;
      parts = [];
      partLen = 0;
      first = false;
    } else {
      parts.push(piece);
      partLen += piece.length;
    }
  };

  try {
    for await (const chunk of chunks) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(LF, start);
        if (nl < 0) break;
        const piece = chunk.subarray(start, nl);
        if (overflow > 0 || partLen + piece.length > maxLineBytes + 1) {
          append(piece);
          yield finish(undefined);
        } else {
          yield finish(piece);
        }
        start = nl + 1;
      }
      // fs read streams and gunzip hand out a fresh (or never rewritten) buffer per chunk, so keeping a slice is safe.
      if (start < chunk.length) append(chunk.subarray(start));
    }
    if (partLen > 0 || overflow > 0) yield finish(undefined);
  } finally {
    await chunks.return(undefined);
  }
}

/** Counts lines that hold at least one byte besides a CR (a fast pass for progress totals). */
export async function countNonEmptyLines(file: string): Promise<number> {
  let count = 0;
  let lineLen = 0; // bytes of the current line seen so far, CR excluded
  for await (const chunk of readBytes(file, 1 << 20)) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl < 0) break;
      const len = nl - start;
      const crOnly = len === 1 && chunk[start] === CR;
      if (lineLen + (crOnly ? 0 : len) > 0) count += 1;
      lineLen = 0;
      start = nl + 1;
    }
    const rest = chunk.length - start;
    if (rest > 0 && !(rest === 1 && chunk[start] === CR)) lineLen += rest;
  }
  if (lineLen > 0) count += 1;
  return count;
}
