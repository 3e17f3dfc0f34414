/**
 * A fake CLIP for unit tests: vectors are a deterministic function of the text or of the image's
 * payload (the bytes after the PNG signature), so a caption and an image whose payload is that
 * caption get the same vector. Payloads starting with "BAD" fail preprocessing like a broken image.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../lib/errors';
import type { EvalModel } from '../../lib/eval';

export const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const DIM = 8;

export function fakeVector(s: string): Float32Array {
  const h = createHash('sha256').update(s).digest();
  const v = Float32Array.from({ length: DIM }, (_, i) => h[i] / 255 - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

export const fakeImage = (payload: string) => Buffer.concat([PNG_SIG, Buffer.from(payload, 'utf8')]);
export const b64 = (payload: string) => fakeImage(payload).toString('base64');

export function fakeModel(logitScale = 100): EvalModel & { calls: { texts: number; images: number } } {
  const calls = { texts: 0, images: 0 };
  return {
    calls,
    info: { name: 'fake', layout: 'hf', dir: '/fake', id: '0123456789abcdef', dim: DIM, contextLength: 16, imageSize: 4, logitScale },
    async encodeTexts(texts) {
      calls.texts += texts.length;
      if (texts.includes('EXPLODE')) throw new AppError('INVALID_INPUT', 'the tokenizer refused it');
      return texts.map(fakeVector);
    },
    async preprocessImage(bytes) {
      const payload = bytes.subarray(PNG_SIG.length).toString('utf8');
      if (payload.startsWith('BAD')) throw new AppError('INVALID_INPUT', 'image data is corrupt');
      return fakeVector(payload);
    },
    async encodePixels(pixels) {
      calls.images += pixels.length;
      return pixels.map((p) => Float32Array.from(p));
    },
  };
}
