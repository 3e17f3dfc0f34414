/**
 * The evaluation protocols. `clipdex` is evaluate.ts (duplicates merged). The other two give the
 * figures of the reference code on the same vectors, written from what that code does:
 *
 * - `easynlp` — EasyNLP's CLIPEvaluator (easynlp/appzoo/clip/evaluator.py): the similarity of
 *   every text line to every image line; text i's only right answer is image i, so a repeated
 *   image is another candidate that ties with it; text→image only; mean_recall = mean of R@1/5/10.
 *   Ties: torch.sort(descending) on the GPU, which is stable past 32 candidates (warp merge sort,
 *   radix sort), so the earlier line goes first; we use that order at every size.
 * - `chinese-clip` — Chinese-CLIP's make_topk_predictions.py + evaluation.py (text→image) and
 *   make_topk_predictions_tr.py + evaluation_tr.py (image→text, ground truth from
 *   transform_ir_annotation_to_tr.py). Text→image: one query per text line, its right answers
 *   the image ids it names; a text naming no image of the TSV (`"image_ids": []` or ids not
 *   there) is a miss that counts. Candidates: one per image id, in the order its LMDB gives
 *   (image ids sorted as byte strings). Image→text: one query per image id some text names, its
 *   right answers those texts; candidates: every text line in file order. Python's sorted(...,
 *   reverse=True) is stable: ties go to the earlier candidate. Each direction's `mean` is what its
 *   script prints as mean_recall; the top-level mean_recall is the mean of the two.
 */
import { AppError } from '../errors';
import type { CorpusRows } from './corpus-rows';
import type { EmbeddingMatrix } from './matrix';
import type { OrderedDirection } from './ordered-ranks';

export type EvalProtocol = 'clipdex' | 'easynlp' | 'chinese-clip';
export const EVAL_PROTOCOLS: readonly EvalProtocol[] = ['clipdex', 'easynlp', 'chinese-clip'];

export function parseProtocol(v: unknown): EvalProtocol {
  if (v === undefined || v === null || v === '') return 'clipdex';
  if (typeof v === 'string' && (EVAL_PROTOCOLS as readonly string[]).includes(v)) return v as EvalProtocol;
  throw new AppError('INVALID_INPUT', `unknown evaluation protocol ${JSON.stringify(v)}: use one of ${EVAL_PROTOCOLS.join(', ')}`);
}

/** What the top-level mean_recall is under each protocol (for --help, the report and the page). */
export const MEAN_RECALL_DEFINITION: Record<EvalProtocol, string> = {
  clipdex: 'mean of the text→image and image→text means (each the mean of R@1/5/10)',
  easynlp: 'mean of text→image R@1/5/10 (EasyNLP prints no image→text figure)',
  'chinese-clip': 'mean of the text→image and image→text means (MUGE\'s leaderboard MR is the text→image mean)',
};

export interface ReferenceSet {
  images: EmbeddingMatrix;
  texts: EmbeddingMatrix;
  rows: CorpusRows;
}

export interface ReferenceDirections {
  textToImage: OrderedDirection;
  imageToText?: OrderedDirection;
  /** reference candidates: image lines (easynlp) or image ids (chinese-clip), and text lines */
  images: number;
  texts: number;
  /** chinese-clip: image ids named by some text that have no image in the TSV */
  missingImageIds: string[];
  /** chinese-clip: texts none of whose image ids has an image (misses by definition) */
  textsWithoutImage: number;
}

export function easynlpDirections(set: ReferenceSet): ReferenceDirections {
  const { pairs, mugeImages, mugeTexts } = set.rows;
  if (mugeImages.length > 0 || mugeTexts.length > 0) {
    throw new AppError(
      'INVALID_INPUT',
      '--protocol easynlp pairs text i with image i of one file (EasyNLP pairs text<TAB>base64, or a folder of captioned images); for a MUGE image TSV with a texts JSONL use --protocol chinese-clip',
    );
  }
  return {
    textToImage: {
      queries: set.texts,
      queryRows: Int32Array.from(pairs, (p) => p.text),
      candidates: set.images,
      candidateRows: Int32Array.from(pairs, (p) => p.image),
      positives: pairs.map((_, i) => [i]),
    },
    images: pairs.length,
    texts: pairs.length,
    missingImageIds: [],
    textsWithoutImage: 0,
  };
}

/** An id seen twice: the reference scripts key by id, so the second one silently wins or crashes. */
function firstRepeat<T>(rows: T[], key: (r: T) => string): [T, T] | undefined {
  const seen = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    const prev = seen.get(k);
    if (prev) return [prev, r];
    seen.set(k, r);
  }
  return undefined;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export function chineseClipDirections(set: ReferenceSet, textsFile = 'the texts JSONL'): ReferenceDirections {
  const { pairs, mugeImages, mugeTexts } = set.rows;
  if (pairs.length > 0 || mugeTexts.length === 0) {
    throw new AppError(
      'INVALID_INPUT',
      '--protocol chinese-clip needs the Chinese-CLIP/MUGE layout: an image TSV (image id<TAB>base64) with its texts JSONL (--texts), whose ids its scripts key on; for a pairs file use --protocol easynlp or clipdex',
    );
  }
  const repeatImage = firstRepeat(mugeImages, (r) => r.id);
  if (repeatImage) {
    throw new AppError(
      'INVALID_INPUT',
      `image id ${repeatImage[0].id} is on lines ${repeatImage[0].line} and ${repeatImage[1].line} of the image TSV: Chinese-CLIP keys images by id (its LMDB keeps one), so give each image its own id`,
    );
  }
  const repeatText = firstRepeat(mugeTexts, (r) => r.textId);
  if (repeatText) {
    throw new AppError(
      'INVALID_INPUT',
      `text_id ${repeatText[0].textId} is on lines ${repeatText[0].line} and ${repeatText[1].line} of ${textsFile}: Chinese-CLIP's scripts key texts by text_id, so give each text its own id`,
    );
  }
  const images = [...mugeImages].sort((a, b) => byteOrder(a.id, b.id));
  const position = new Map(images.map((r, i) => [r.id, i]));
  const imageRow = new Map(mugeImages.map((r) => [r.id, r.image]));

  // text→image: every text line, misses included
  let textsWithoutImage = 0;
  const t2iPositives = mugeTexts.map((t) => {
    const pos = [...new Set(t.imageIds.map((id) => position.get(id)).filter((p): p is number => p !== undefined))];
    if (pos.length === 0) textsWithoutImage++;
    return pos;
  });

  // image→text: one query per image id some text names (transform_ir_annotation_to_tr.py), first-named first
  const textsOf = new Map<string, number[]>();
  mugeTexts.forEach((t, i) => {
    for (const id of new Set(t.imageIds)) {
      const list = textsOf.get(id);
      if (list) list.push(i);
      else textsOf.set(id, [i]);
    }
  });
  const queryIds = [...textsOf.keys()];
  const missingImageIds = queryIds.filter((id) => !imageRow.has(id));

  return {
    textToImage: {
      queries: set.texts,
      queryRows: Int32Array.from(mugeTexts, (t) => t.text),
      candidates: set.images,
      candidateRows: Int32Array.from(images, (r) => r.image),
      positives: t2iPositives,
    },
    imageToText: {
      queries: set.images,
      // an id without an image has no vector: a miss (Chinese-CLIP's evaluation_tr.py refuses the file)
      queryRows: Int32Array.from(queryIds, (id) => imageRow.get(id) ?? -1),
      candidates: set.texts,
      candidateRows: Int32Array.from(mugeTexts, (t) => t.text),
      positives: queryIds.map((id) => textsOf.get(id)!),
    },
    images: images.length,
    texts: mugeTexts.length,
    missingImageIds,
    textsWithoutImage,
  };
}

export function referenceDirections(protocol: Exclude<EvalProtocol, 'clipdex'>, set: ReferenceSet, textsFile?: string): ReferenceDirections {
  return protocol === 'easynlp' ? easynlpDirections(set) : chineseClipDirections(set, textsFile);
}
