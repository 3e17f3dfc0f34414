/**
 * The query's vector: the text's weighted parts (lib/query's semanticParts), an image (bytes, a
 * stored image's own vector, or the normalised mean of several stored images' vectors: a
 * collection, issue 14), or both ("this image, but red": the two unit vectors added), with
 * each excluded word's vector taken away ("cat -glasses" pushes away from glasses), then
 * normalised. One model call for all the text parts.
 */
import { storedImageQuery } from '../adapters/apply'; // issue 12: an adapter projects a stored image vector used as a query
import { bytesToVector, imageVectorOf } from '../db';
import { AppError } from '../errors';
import type { ParsedQuery } from '../query';
import { semanticParts } from '../query';
import type { SearchDeps } from './deps';
import type { SearchInput } from './types';

/**
 * How far an excluded word pushes the query away (× its weight). bench/relevance.ts swept it on the
 * negation set (RESULTS.md "Relevance (issue 11)"): 0.15 kept the best R@1 of the sweep and lost less
 * R@10 than 0.3; the exclusion itself is enforced on every hit anyway, this only tilts the meaning.
 */
export const EXCLUDE_PUSH = 0.15;

function addScaled(acc: Float32Array, v: Float32Array, w: number): void {
  for (let i = 0; i < acc.length; i++) acc[i] += w * v[i];
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (!(n > 1e-9)) return v;
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** The normalised mean of unit vectors: the direction a set of images shares (a collection as a query). */
export function meanDirection(vectors: Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0].length);
  for (const v of vectors) addScaled(out, v, 1);
  let n = 0;
  for (let i = 0; i < out.length; i++) n += out[i] * out[i];
  if (!(Math.sqrt(n) > 1e-6)) throw new AppError('INVALID_INPUT', 'these images cancel each other out: their mean vector is zero; search with fewer or other images');
  return normalise(out);
}

async function storedVector(deps: SearchDeps, imageId: number): Promise<{ vector: Float32Array; label: number }> {
  const v = await imageVectorOf(deps.db, imageId, deps.model.info.id);
  if (!v) throw new AppError('NOT_FOUND', `image ${imageId} does not exist or has no vector for the active model (run \`clipdex reindex\`)`);
  return { vector: storedImageQuery(deps.model, bytesToVector(v.data)), label: v.label };
}

/**
 * The query vector, or null when there is nothing to embed (a text of only filters or
 * exclusions); `exclude` holds the stored query images' own labels, left out of the results.
 */
export async function queryVector(deps: SearchDeps, input: SearchInput, parsed: ParsedQuery | undefined): Promise<{ vector: Float32Array | null; exclude?: Set<number> }> {
  let image: Float32Array | undefined;
  let exclude: Set<number> | undefined;
  if ('image' in input) {
    if (!input.image.length) throw new AppError('INVALID_INPUT', 'the query image is empty');
    image = (await deps.model.encodeImages([input.image]))[0];
  } else if ('imageId' in input || 'imageIds' in input) {
    const ids = 'imageId' in input ? [input.imageId] : input.imageIds;
    if (!ids.length) throw new AppError('INVALID_INPUT', 'give at least one image id to search like');
    const stored = await Promise.all(ids.map((id) => storedVector(deps, id)));
    image = stored.length === 1 ? stored[0].vector : meanDirection(stored.map((s) => s.vector));
    exclude = new Set(stored.map((s) => s.label));
  }
  const parts = parsed ? semanticParts(parsed) : [];
  const pushes = parsed?.exclude ?? [];
  if (!image && !parts.length) return { vector: null, exclude };
  const texts = [...parts.map((p) => p.text), ...pushes.map((p) => p.text)];
  const encoded = texts.length ? await deps.model.encodeTexts(texts) : [];
  const acc = new Float32Array((image ?? encoded[0]).length);
  if (image) addScaled(acc, image, 1);
  if (parts.length) {
    // The text side as one unit vector (its parts weighted), so an image and a text count alike.
    const text = new Float32Array(acc.length);
    parts.forEach((p, i) => addScaled(text, encoded[i], p.weight));
    addScaled(acc, normalise(text), 1);
  }
  pushes.forEach((p, i) => addScaled(acc, encoded[parts.length + i], -EXCLUDE_PUSH * p.weight));
  return { vector: normalise(acc), exclude };
}
