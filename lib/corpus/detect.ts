/**
 * Format detection by sniffing: a directory is a `folder`; a `texts` JSONL makes it `muge`;
 * otherwise the first non-blank lines decide — a base64 image in column 2 of two columns is
 * `pairs`, in the only column `images`, plain text in one column `texts`. Only the base64 column
 * decides: what column 1 holds does not, so captions that are all digits stay `pairs` (a MUGE
 * image TSV `id<TAB>base64` reads as pairs too until its texts JSONL is given with --texts). A gzip'd
 * file is judged by its decompressed lines (open-stream.ts).
 */
import fs from 'node:fs/promises';
import { getConfig } from '../config';
import { AppError } from '../errors';
import { decodeBase64Strict } from './base64';
import { readLines } from './line-reader';
import { tooLongReason } from './limits';
import { isBlank, splitColumns } from './parse-line';
import { sniffImageType } from './sniff';
import type { CorpusFormat } from './types';

const SNIFF_LINES = 8;

/** Decodes only a prefix of a base64 column: the magic numbers sit in the first bytes. */
function columnIsImage(col: Buffer): boolean {
  const prefix = col.subarray(0, Math.min(col.length, 344));
  const usable = col.length <= 344 ? prefix : prefix.subarray(0, prefix.length - (prefix.length % 4));
  const r = decodeBase64Strict(usable);
  return r.ok && sniffImageType(r.bytes) !== undefined;
}

/** fs.stat with the errors users should see: NOT_FOUND for a missing path, INVALID_INPUT otherwise. */
export async function statOrThrow(p: string, what = 'corpus'): Promise<import('node:fs').Stats> {
  try {
    return await fs.stat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `${what} not found: ${p}`, { cause: e });
    throw new AppError('INVALID_INPUT', `${what} cannot be read: ${p} (${code ?? (e as Error).message})`, { cause: e });
  }
}

export async function detectFormat(
  p: string,
  opts: { texts?: string; maxLineBytes?: number } = {},
): Promise<CorpusFormat> {
  const st = await statOrThrow(p);
  if (st.isDirectory()) return 'folder';
  if (opts.texts) return 'muge';
  const votes: Record<'pairs' | 'images' | 'texts', number> = { pairs: 0, images: 0, texts: 0 };
  let seen = 0;
  let tooLong = 0;
  const maxLineBytes = opts.maxLineBytes ?? getConfig().maxLineBytes;
  for await (const raw of readLines(p, { maxLineBytes })) {
    if (!('bytes' in raw)) {
      if (++tooLong >= SNIFF_LINES) break;
      continue;
    }
    if (isBlank(raw.bytes)) continue;
    const cols = splitColumns(raw.bytes);
    if (cols.length === 2 && columnIsImage(cols[1])) votes.pairs += 1;
    else if (cols.length === 1 && columnIsImage(cols[0])) votes.images += 1;
    else if (cols.length === 1) votes.texts += 1;
    if (++seen >= SNIFF_LINES) break;
  }
  if (seen === 0 && tooLong > 0) {
    throw new AppError('INVALID_INPUT', `cannot tell the format of ${p}: its first lines are over the ${tooLongReason(0, maxLineBytes).replace(/^.* over the /, '')}; raise it or pass --format`);
  }
  if (seen === 0) throw new AppError('INVALID_INPUT', `corpus ${p} has no non-blank lines`);
  const best = (['pairs', 'images', 'texts'] as const).reduce((a, b) => (votes[b] > votes[a] ? b : a));
  if (votes[best] === 0) {
    throw new AppError(
      'UNSUPPORTED_FORMAT',
      `cannot tell the format of ${p} from its first lines: expected text<TAB>base64 image (pairs), one base64 image a line (images) or one text a line (texts); pass --format`,
    );
  }
  return best;
}
