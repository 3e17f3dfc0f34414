/**
 * How embed-corpus.ts gets its vectors: from the model in this process, or looked up in vectors
 * that `clipdex worker` processes embedded (a distributed evaluate, lib/distributed/eval-slices.ts).
 * Both go through encodeEvalImages, so a worker preprocesses and encodes an image exactly as this
 * process would, and an image it cannot read gives the same reason. Image vectors are keyed by
 * what embed-corpus.ts deduplicates on (sha256), so the coordinator's pass over the file places
 * them in the very order, with the very links and skipped lines, of a single-process run.
 */
import { AppError } from '../errors';
import type { ClipModel } from '../clip';

export type EvalModel = Pick<ClipModel, 'info' | 'encodeTexts' | 'preprocessImage' | 'encodePixels'>;

/** An image's vector, or why it cannot be read (preprocessImage's AppError message: the line is skipped). */
export type ImageVectorOrReason = Float32Array | string;

/**
 * What a distributed evaluate's workers embedded, for embed-corpus.ts's pass over the file: the
 * image vectors (by sha256), and a list the pass fills with the text batches it would have encoded
 * (their matrix rows stay zero until the workers send them: a text's vector depends a little on the
 * texts encoded with it, whose padding it shares, so the workers encode these very batches).
 */
export interface QueuedVectors {
  images: Map<string, ImageVectorOrReason>;
  textBatches: string[][];
}

export interface EvalEncoder {
  /** One entry per image, in order (each a distinct new image of the file). */
  images(items: { sha: string; bytes: Buffer }[]): Promise<ImageVectorOrReason[]>;
  texts(values: string[]): Promise<Float32Array[]>;
}

/**
 * Preprocess each image (one that cannot be decoded gets its reason), then encode the good ones in
 * one call. Any other error (the model failing) is thrown: it is no fault of a line.
 */
export async function encodeEvalImages(model: Pick<EvalModel, 'preprocessImage' | 'encodePixels'>, images: Buffer[]): Promise<ImageVectorOrReason[]> {
  const out: ImageVectorOrReason[] = [];
  const pixels: Float32Array[] = [];
  const at: number[] = [];
  for (const bytes of images) {
    try {
      pixels.push(await model.preprocessImage(bytes));
      at.push(out.length);
      out.push('');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      out.push(err.message);
    }
  }
  if (pixels.length) (await model.encodePixels(pixels)).forEach((v, i) => (out[at[i]] = v));
  return out;
}

export function modelEncoder(model: EvalModel): EvalEncoder {
  return {
    images: (items) => encodeEvalImages(model, items.map((i) => i.bytes)),
    texts: (values) => model.encodeTexts(values),
  };
}

/**
 * Images the workers embedded, looked up; texts left for them, batch by batch. An image the workers
 * did not send means the two reads of the file disagree (it changed during the evaluate): an
 * error, never a silently different result.
 */
export function queuedEncoder(queued: QueuedVectors, dim: number, file: string): EvalEncoder {
  return {
    images: async (items) =>
      items.map((i) => {
        const v = queued.images.get(i.sha);
        if (v === undefined) {
          throw new AppError('INTERNAL', `no vector came back from the workers for the image with sha256 ${i.sha} of ${file}: was the file changed during the evaluate? Run it again`);
        }
        return v;
      }),
    texts: async (values) => {
      queued.textBatches.push(values);
      return values.map(() => new Float32Array(dim));
    },
  };
}
