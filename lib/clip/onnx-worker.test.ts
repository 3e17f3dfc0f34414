/**
 * The worker-thread session (`clipdex ingest`'s image tower, or CLIPDEX_ONNX_WORKER=1) answers
 * exactly like the in-thread one, on the real bundled model, and words a broken model file the
 * same way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageTowerInWorker } from './clip-model';
import { floatTensor, openSession } from './onnx-session';
import { openSessionInWorker } from './onnx-worker';

const VISION = path.resolve(import.meta.dirname, '..', '..', 'models', 'mini-clip', 'onnx', 'vision_model.onnx');

describe('openSessionInWorker', () => {
  it('gives the same inputs, outputs and embeddings as the in-thread session', async () => {
    const [a, b] = await Promise.all([openSession(VISION, 1), openSessionInWorker(VISION, 1)]);
    try {
      expect(b.inputs).toEqual(a.inputs);
      expect(b.outputs).toEqual(a.outputs);
      const shape = a.inputs[0].shape!.map((d) => (typeof d === 'number' && d > 0 ? d : 2));
      const data = new Float32Array(shape.reduce((x, y) => x * y, 1)).map((_, i) => Math.sin(i * 0.37));
      const out = a.outputs.find((o) => o.shape?.length === 2)!.name;
      const feeds = () => ({ [a.inputs[0].name]: floatTensor(data.slice(), shape) });
      const ra = await a.run(feeds(), out);
      const rb = await b.run(feeds(), out);
      expect([...rb.dims]).toEqual([...ra.dims]);
      expect(Buffer.from(rb.data.buffer, rb.data.byteOffset, rb.data.byteLength).equals(Buffer.from(ra.data.buffer, ra.data.byteOffset, ra.data.byteLength))).toBe(true);
    } finally {
      await Promise.all([a.release(), b.release()]);
    }
  });

  it('refuses a file that is not an ONNX model with the in-thread message', async () => {
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-onnx-')), 'broken.onnx');
    fs.writeFileSync(bad, 'not a model');
    const inThread = await openSession(bad, 1).then(() => 'opened', (e: Error) => e);
    const inWorker = await openSessionInWorker(bad, 1).then(() => 'opened', (e: Error) => e);
    expect(inWorker).toMatchObject({ code: 'MODEL_INVALID' });
    expect((inWorker as Error).message).toBe((inThread as Error).message);
  });
});

describe('imageTowerInWorker', () => {
  it('follows the caller unless CLIPDEX_ONNX_WORKER says 1 or 0', () => {
    expect([imageTowerInWorker(true, undefined), imageTowerInWorker(false, undefined), imageTowerInWorker(undefined, undefined)]).toEqual([true, false, false]);
    expect([imageTowerInWorker(false, '1'), imageTowerInWorker(undefined, '1')]).toEqual([true, true]);
    expect([imageTowerInWorker(true, '0'), imageTowerInWorker(undefined, '0')]).toEqual([false, false]);
    expect(imageTowerInWorker(true, 'yes')).toBe(true);
  });
});
