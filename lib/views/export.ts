/**
 * Results people can take away (issue 14): the current search results, or a collection, as CSV
 * or JSON with absolute URLs, built in the browser from what the page already holds (no new
 * route, no second search). Pure, so the tests check the exact bytes.
 */
import type { HitView } from './search-view';

/** One exported row: an image result, a caption result, or a collection's image. */
export interface ExportRow {
  rank: number;
  kind: 'image' | 'text';
  /** Image results and collection items. */
  imageId?: number;
  /** Caption results. */
  textId?: number;
  score?: number;
  /** The caption (first caption of an image; the text of a caption result). */
  text: string;
  dataset: string;
  /** The page of the image (image rows). */
  pageUrl?: string;
  imageUrl?: string;
  thumbUrl?: string;
  /** Caption results: the URLs of the images it describes. */
  imageUrls?: string[];
}

const abs = (origin: string, p: string) => new URL(p, origin).toString();
/** The original is /api/images/<sha>; the browser knows the thumbnail's URL, which names the same sha. */
const originalOf = (thumbUrl: string) => thumbUrl.replace('/api/thumbs/', '/api/images/');

export function rowsOfHits(hits: HitView[], origin: string): ExportRow[] {
  return hits.map((h, i) =>
    h.kind === 'image'
      ? {
          rank: i + 1,
          kind: 'image',
          imageId: h.imageId,
          score: h.score,
          text: h.captions[0] ?? '',
          dataset: h.dataset,
          pageUrl: abs(origin, `/images/${h.imageId}`),
          imageUrl: abs(origin, h.imageUrl),
          thumbUrl: abs(origin, h.thumbUrl),
        }
      : {
          rank: i + 1,
          kind: 'text',
          textId: h.textId,
          score: h.score,
          text: h.text,
          dataset: h.dataset,
          imageUrls: h.images.map((im) => abs(origin, originalOf(im.thumbUrl))),
        },
  );
}

const COLUMNS = ['rank', 'kind', 'imageId', 'textId', 'score', 'text', 'dataset', 'pageUrl', 'imageUrl', 'thumbUrl', 'imageUrls'] as const;

/**
 * A CSV cell (RFC 4180 quoting). A text that a spreadsheet would run as a formula (it starts with
 * =, +, -, @, a tab or CR) gets a leading apostrophe, so opening an export runs nothing.
 */
function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s = Array.isArray(v) ? v.join(' ') : typeof v === 'number' ? String(v) : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a header row, CRLF line ends and a UTF-8 BOM (so spreadsheet programs read Chinese right). */
export function toCsv(rows: ExportRow[]): string {
  const lines = [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function toJson(meta: Record<string, unknown>, rows: ExportRow[]): string {
  return `${JSON.stringify({ ...meta, results: rows }, null, 2)}\n`;
}

/** A file name for an export: `clipdex-<what>-<yyyymmdd-hhmm>.<ext>`, safe on every file system. */
export function exportFileName(what: string, ext: 'csv' | 'json', now = new Date()): string {
  const slug =
    what
      .normalize('NFKC')
      .replace(/[\\/:*?"<>|\u0000-\u001f\s]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'results';
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `clipdex-${slug}-${stamp}.${ext}`;
}
