/**
 * Validation recall, counted by lib/eval's `easynlp` protocol itself (easynlpDirections +
 * orderedRanks), so the epoch the trainer keeps is the one `clipdex evaluate --protocol easynlp
 * --adapter` ranks best: one query per line (text i), one candidate per line (image i), scores in
 * doubles, text→image only, `mean` = the mean of R@1/5/10. Ties follow EasyNLP's stable sort: a
 * candidate scoring exactly as high as line i's own image is ahead of it when its line comes
 * earlier — so a line whose image repeats an earlier line's image misses R@1.
 */
import { easynlpDirections, orderedRanks, recallRow, type EmbeddingMatrix } from '../eval';
import type { Recall } from '../adapters/store';
import { linesOf, type PairSet } from './pairs';

export async function pairRecall(set: PairSet, textVecs: Float32Array, imageVecs: Float32Array): Promise<Recall> {
  const { dim } = set.texts;
  const matrix = (data: Float32Array, rows: number): EmbeddingMatrix => ({ rows, dim, data });
  const pairs = linesOf(set).map((l, i) => ({ line: i + 1, text: l.text, image: l.image }));
  const d = easynlpDirections({
    texts: matrix(textVecs, set.texts.rows),
    images: matrix(imageVecs, set.images.rows),
    rows: { pairs, mugeImages: [], mugeTexts: [] },
  });
  const { r1, r5, r10, mean } = recallRow(await orderedRanks(d.textToImage));
  return { r1, r5, r10, mean };
}
