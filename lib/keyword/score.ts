/**
 * One keyword score for both engines: for each matched word, its weight × the field's weight
 * (a caption 3, text in the image 2, the file name 1), case-insensitive substring matches (what
 * the trigram indexes find). Also which fields matched and a snippet to show.
 */
export type KeywordField = 'caption' | 'ocr' | 'filename';

export interface KeywordTerm {
  text: string;
  phrase: boolean;
  weight: number;
}

const FIELD_WEIGHT: Record<KeywordField, number> = { caption: 3, ocr: 2, filename: 1 };
const SNIPPET_CHARS = 120;

export function scoreDoc(doc: { captions: string; ocr: string; filename: string }, terms: KeywordTerm[]): { score: number; fields: KeywordField[]; snippet?: string } {
  const text: Record<KeywordField, string> = { caption: doc.captions.toLowerCase(), ocr: doc.ocr.toLowerCase(), filename: doc.filename.toLowerCase() };
  const fields = new Set<KeywordField>();
  let score = 0;
  let first: { field: KeywordField; at: number; len: number } | undefined;
  for (const t of terms) {
    const needle = t.text.toLowerCase();
    for (const f of ['caption', 'ocr', 'filename'] as const) {
      const at = text[f].indexOf(needle);
      if (at < 0) continue;
      score += t.weight * FIELD_WEIGHT[f];
      fields.add(f);
      if (f !== 'filename' && (!first || FIELD_WEIGHT[f] > FIELD_WEIGHT[first.field])) first = { field: f, at, len: needle.length };
    }
  }
  const order: KeywordField[] = ['caption', 'ocr', 'filename'];
  return { score, fields: order.filter((f) => fields.has(f)), snippet: first && snippetOf(first.field === 'caption' ? doc.captions : doc.ocr, first.at, first.len) };
}

/** The line around a match, at most SNIPPET_CHARS characters, with … where it was cut. */
function snippetOf(src: string, at: number, len: number): string {
  const lineStart = src.lastIndexOf('\n', at) + 1;
  const nl = src.indexOf('\n', at + len);
  const lineEnd = nl < 0 ? src.length : nl;
  const from = Math.max(lineStart, at - Math.floor((SNIPPET_CHARS - len) / 2));
  const to = Math.min(lineEnd, from + SNIPPET_CHARS);
  return `${from > lineStart ? '…' : ''}${src.slice(from, to).trim()}${to < lineEnd ? '…' : ''}`;
}
