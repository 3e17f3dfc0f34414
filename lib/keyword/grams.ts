/**
 * CJK unigrams and bigrams (migration 0005_keyword_bigrams). A trigram index cannot look up a
 * part shorter than three characters, and Chinese words are mostly one or two (牛, 汽车): without
 * this, such a word was answered by a LIKE scan of every document (~80 ms at 100,000 images,
 * bench/relevance.ts). Each document also stores its CJK runs split into every character and every
 * pair of neighbouring characters, space-separated ("红色的汽车" → "红 红色 色 色的 的 的汽 …"),
 * indexed as words (SQLite: FTS5 unicode61 "KeywordGramFts"; PostgreSQL: a GIN index over the
 * words). A 1–2 character CJK word is in a document's text exactly when it is one of its grams.
 *
 * The character ranges below are repeated in both migrations' backfill SQL: keep them in step.
 */

/** Kana, CJK ideographs and Hangul syllables: letters to FTS5's unicode61 (no punctuation such as 、。・). */
const RANGES: [number, number][] = [
  [0x3041, 0x3096], // hiragana
  [0x30a1, 0x30fa], // katakana (without ・ U+30FB)
  [0x30fc, 0x30ff], // ー and katakana iteration marks
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
];

export function isGramChar(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return RANGES.some(([lo, hi]) => c >= lo && c <= hi);
}

/** A word the gram index answers: one or two CJK characters. */
export function isGramWord(t: string): boolean {
  const cs = Array.from(t);
  return cs.length >= 1 && cs.length <= 2 && cs.every(isGramChar);
}

/** The distinct grams of `text`, space-separated ('' when it has no CJK character). */
export function cjkGrams(text: string): string {
  const out = new Set<string>();
  let prev = '';
  for (const ch of text) {
    if (!isGramChar(ch)) {
      prev = '';
      continue;
    }
    out.add(ch);
    if (prev) out.add(prev + ch);
    prev = ch;
  }
  return [...out].join(' ');
}

/** The grams of a keyword document: its three fields, which never join into one run. */
export const docGrams = (d: { captions: string; ocr: string; filename: string }): string => cjkGrams(`${d.captions}\n${d.ocr}\n${d.filename}`);
