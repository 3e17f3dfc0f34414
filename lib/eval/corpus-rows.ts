/**
 * The rows of an embedded validation file, by layout: shared by embed-corpus.ts (which fills
 * them) and protocols.ts (which counts recall over them) in a file of their own, so neither
 * imports the other (embed-corpus → evaluate → protocols would be a cycle).
 */
/** A pair line (or a captioned image of a folder): its rows in the text and image matrices. */
export interface PairRow {
  line: number;
  text: number;
  image: number;
}
export interface MugeImageRow {
  line: number;
  id: string;
  image: number;
}
export interface MugeTextRow {
  line: number;
  textId: string;
  text: number;
  imageIds: string[];
}
/** Every line that was read and encoded, in file order. */
export interface CorpusRows {
  pairs: PairRow[];
  mugeImages: MugeImageRow[];
  mugeTexts: MugeTextRow[];
}
