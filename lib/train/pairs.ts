/**
 * Training and validation pairs: the file is embedded once with the frozen model by lib/eval's
 * corpus embedder (streamed, a batch at a time; identical images and texts become one row), and
 * each line's (text, image) link is one pair. Memory is the embeddings, never the image bytes.
 */
import { AppError } from '../errors';
import { embedCorpusForEval, type EmbedCorpusOptions, type EvalModel, type SkippedLine, type EmbeddingMatrix, type Link } from '../eval';

export interface PairSet {
  texts: EmbeddingMatrix;
  images: EmbeddingMatrix;
  /** One per distinct (text, image) line: what training draws its batches from. */
  links: Link[];
  /**
   * One per line of the file, in file order, repeats included: EasyNLP's queries and candidates,
   * so validation counts a repeated line as its evaluator does. Absent (an ingested dataset, a
   * held-out share): the links.
   */
  lines?: Link[];
  /** Training only: more looks of some image rows (augmented views), drawn at random per step. */
  imageViews?: Views;
  /** Training only: more looks of some text rows (caption templates). */
  textViews?: Views;
}

/** Extra embeddings of rows of a set's matrix: `of[row]` lists that row's view rows in `matrix`. */
export interface Views {
  matrix: EmbeddingMatrix;
  of: number[][];
}

export const linesOf = (set: PairSet): Link[] => set.lines ?? set.links;

export interface EmbeddedPairs extends PairSet {
  skipped: SkippedLine[];
  seconds: number;
}

export async function embedPairs(path: string, model: EvalModel, opts: EmbedCorpusOptions = {}): Promise<EmbeddedPairs> {
  let set;
  try {
    set = await embedCorpusForEval(path, model, opts);
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID_INPUT') {
      throw new AppError('INVALID_INPUT', `${path}: ${err.message.replace(/evaluation needs/, 'training needs')}`, { cause: err });
    }
    throw err;
  }
  // a MUGE image TSV + texts JSONL has links but no pair lines: its links are the lines then
  const lines = set.rows.pairs.length ? set.rows.pairs.map((p) => ({ text: p.text, image: p.image })) : undefined;
  return { texts: set.texts, images: set.images, links: set.links, lines, skipped: set.skipped, seconds: set.seconds };
}

/** Split off a seeded share of the lines (whole lines; a concept may fall on both sides). */
export function holdOut(set: PairSet, share: number, seed: number): { train: PairSet; valid: PairSet } {
  const order = set.links.map((_, i) => i);
  shuffle(order, rng(seed));
  const nValid = Math.max(2, Math.round(set.links.length * share));
  const pick = (ix: number[]): PairSet => ({ texts: set.texts, images: set.images, links: ix.map((i) => set.links[i]) });
  return { valid: pick(order.slice(0, nValid)), train: pick(order.slice(nValid)) };
}

/** mulberry32: a small seeded generator, so a run can be repeated exactly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
