/**
 * D5: a model whose outputs are NaN/infinite or do not depend on the input is refused at load,
 * with MODEL_INVALID naming the model folder and the encoder file — before any engine could
 * rebuild an index or re-embed with it. The damaged models are copies of models/mini-clip with
 * one weight tensor overwritten in place (its raw bytes found in the ONNX protobuf), as a disk
 * error or a bad copy would do while the file still parses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClipModel } from '../../lib/clip';
import { resetConfig } from '../../lib/config';
import { closeEngine, getEngine } from '../../lib/engine';
import { ingestCorpus } from '../../lib/ingest';
import { makePairsFile, makeTestEnv, ROOT } from './engine-helpers';
import { rawDataOf } from './onnx-bytes';

const MINI = path.join(ROOT, 'models', 'mini-clip');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-selfcheck-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of mini-clip with `tensor` in `file` filled with `byte` (0xff = NaN floats, 0x00 = zeros). */
function damagedCopy(name: string, file: string, tensor: string, byte: number): string {
  const dir = path.join(tmp, name);
  fs.cpSync(MINI, dir, { recursive: true });
  const f = path.join(dir, file);
  const bytes = fs.readFileSync(f);
  const r = rawDataOf(bytes, tensor);
  expect(r.length).toBeGreaterThan(0);
  bytes.fill(byte, r.start, r.start + r.length);
  fs.writeFileSync(f, bytes);
  return dir;
}

describe('model self-check at load', () => {
  it('loads the bundled model (the check passes a sound model)', async () => {
    const m = await loadClipModel(MINI, { threads: 1 });
    expect(m.info.dim).toBeGreaterThan(0);
    await m.close();
  });

  it('refuses NaN image outputs (vision LayerNorm bias overwritten with NaN bytes)', async () => {
    const dir = damagedCopy('nan-vision', 'onnx/vision_model.onnx', 'm.vision.ln.bias', 0xff);
    const err = await loadClipModel(dir, { threads: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODEL_INVALID' });
    expect((err as Error).message).toContain(`model ${dir} refused at load`);
    expect((err as Error).message).toContain(`${path.join(dir, 'onnx/vision_model.onnx')} gives NaN or infinite outputs`);
  });

  it('refuses NaN text outputs (first text LayerNorm weight overwritten with NaN bytes)', async () => {
    const dir = damagedCopy('nan-text', 'onnx/text_model.onnx', 'm.text.blocks.0.ln1.weight', 0xff);
    const err = await loadClipModel(dir, { threads: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODEL_INVALID' });
    expect((err as Error).message).toContain(`${path.join(dir, 'onnx/text_model.onnx')} gives NaN or infinite outputs`);
  });

  it('refuses a vision model that gives the same vector whatever the image (final LayerNorm weight zeroed)', async () => {
    const dir = damagedCopy('constant-vision', 'onnx/vision_model.onnx', 'm.vision.ln.weight', 0x00);
    const err = await loadClipModel(dir, { threads: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODEL_INVALID' });
    expect((err as Error).message).toMatch(/vision_model\.onnx gives the same vector for two different probe images/);
  });
});

describe('the engine with a damaged model', () => {
  it('refuses to open: the indexes of the sound model are left as they were, nothing is re-embedded', async () => {
    const t = makeTestEnv('selfcheck-engine');
    try {
      Object.assign(t.env, { CLIPDEX_MODEL_DIR: MINI });
      const e = await t.open();
      await ingestCorpus({ path: await makePairsFile(t.dataDir, 6), dataset: 'six' }, e);
      await t.close();
      const indexDir = path.join(t.dataDir, 'index');
      const snapshot = () => fs.readdirSync(indexDir).sort().map((f) => `${f}:${fs.readFileSync(path.join(indexDir, f)).toString('base64')}`);
      const before = snapshot();

      process.env.CLIPDEX_MODEL_DIR = damagedCopy('engine-nan', 'onnx/vision_model.onnx', 'm.vision.ln.bias', 0xff);
      resetConfig();
      await expect(getEngine({ log: () => undefined })).rejects.toMatchObject({ code: 'MODEL_INVALID' });
      await closeEngine();
      expect(snapshot()).toEqual(before);

      // the sound model again: everything is there, nothing to re-embed
      const again = await t.open();
      expect(again.indexes.image.size()).toBe(6);
      expect(again.indexReport.needsReembed).toEqual({ images: 0, texts: 0 });
      expect(await again.db.model.count()).toBe(1);
    } finally {
      await t.cleanup();
    }
  });
});
