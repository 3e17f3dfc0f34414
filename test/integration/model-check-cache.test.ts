/**
 * issue 13 (start-up): a model check passed on a model's files is remembered in the data dir
 * (lib/clip/check-cache.ts); the next load of the same files skips the hash and the probes and
 * opens the image tower on first use, with the same id, dimensions and vectors. Any write to a
 * file misses the entry, so a model damaged after its check is still refused at load.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadClipModel, readModelManifest } from '../../lib/clip';
import { modelCheckFile, modelCheckKey, readModelCheck } from '../../lib/clip/check-cache';
import { ortVersion } from '../../lib/clip/onnx-session';
import { resetConfig } from '../../lib/config';
import { ROOT } from './engine-helpers';
import { rawDataOf } from './onnx-bytes';

const MINI = path.join(ROOT, 'models', 'mini-clip');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-checkcache-'));
const saved = { data: process.env.CLIPDEX_DATA_DIR };
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (saved.data === undefined) delete process.env.CLIPDEX_DATA_DIR;
  else process.env.CLIPDEX_DATA_DIR = saved.data;
  resetConfig();
});

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  process.env.CLIPDEX_DATA_DIR = dataDir;
  resetConfig();
});

const entries = (): unknown[] => JSON.parse(fs.readFileSync(modelCheckFile(dataDir), 'utf8')) as unknown[];

/** An own copy of mini-clip (its own inodes and times). */
function copyModel(name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(MINI, dir, { recursive: true });
  return dir;
}


describe('the remembered model check', () => {
  it('is written by the first load and gives the second the same id, size and vectors, image tower included', async () => {
    const dir = copyModel('sound');
    expect(fs.existsSync(modelCheckFile(dataDir))).toBe(false);
    const first = await loadClipModel(dir, { threads: 1 });
    const pixels = new Float32Array(3 * first.info.imageSize * first.info.imageSize).map((_, i) => Math.sin(i) * 1.5);
    const [t1] = await first.encodeTexts(['a red heart']);
    const [i1] = await first.encodePixels([pixels]);
    await first.close();
    expect(entries()).toHaveLength(1);

    const second = await loadClipModel(dir, { threads: 1 });
    expect(second.info).toEqual(first.info);
    // and it came from the entry: a planted id is what a third load reports (no hash was computed)
    const file = modelCheckFile(dataDir);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/"id":"[0-9a-f]{16}"/, '"id":"feedfacefeedface"'));
    const third = await loadClipModel(dir, { threads: 1 });
    expect(third.info.id).toBe('feedfacefeedface');
    await third.close();
    const [t2] = await second.encodeTexts(['a red heart']);
    const [i2] = await second.encodePixels([pixels]); // the image tower opens here
    expect([...t2]).toEqual([...t1]);
    expect([...i2]).toEqual([...i1]);
    await second.close();
    expect(entries()).toHaveLength(1);
  });

  it('refuses to open the image tower of a hit whose files changed after the load (no other weights beside the checked text tower)', async () => {
    const dir = copyModel('changed-after-load');
    await (await loadClipModel(dir, { threads: 1 })).close();
    const m = await loadClipModel(dir, { threads: 1 }); // a hit: the image tower is not open yet
    expect((await m.encodeTexts(['still fine'])).length).toBe(1);
    const f = path.join(dir, 'onnx', 'vision_model.onnx');
    fs.writeFileSync(f, fs.readFileSync(f)); // rewritten in place, the same bytes: the stat fields move
    const pixels = new Float32Array(3 * m.info.imageSize * m.info.imageSize);
    await expect(m.encodePixels([pixels])).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('restart clipdex') });
    await m.close();
    // a new load checks the files again and remembers them anew
    const again = await loadClipModel(dir, { threads: 1 });
    expect((await again.encodePixels([pixels])).length).toBe(1);
    await again.close();
    expect(entries()).toHaveLength(2);
  });

  it('writes nothing when the data dir does not exist (predict and classify need no library)', async () => {
    const missing = path.join(tmp, 'no-such-data-dir');
    process.env.CLIPDEX_DATA_DIR = missing;
    resetConfig();
    await (await loadClipModel(MINI, { threads: 1 })).close();
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('is keyed by the files as they are: a write misses it, and a model damaged after its check is refused', async () => {
    const dir = copyModel('damaged-later');
    await (await loadClipModel(dir, { threads: 1 })).close();
    expect(entries()).toHaveLength(1);
    const keyNow = () => modelCheckKey(dir, readModelManifest(dir).files, ortVersion());
    const before = keyNow();
    expect(readModelCheck(modelCheckFile(dataDir), before)?.dim).toBeGreaterThan(0);


    // NaN bytes over the vision LayerNorm bias, in place, and the old modification time put back:
    // the change time and the key still move, so the full check runs and refuses the model.
    const f = path.join(dir, 'onnx', 'vision_model.onnx');
    const st = fs.statSync(f);
    const bytes = fs.readFileSync(f);
    const r = rawDataOf(bytes, 'm.vision.ln.bias');
    bytes.fill(0xff, r.start, r.start + r.length);
    fs.writeFileSync(f, bytes);
    fs.utimesSync(f, st.atime, st.mtime);
    expect(keyNow()).not.toBe(before);
    expect(readModelCheck(modelCheckFile(dataDir), keyNow())).toBeUndefined();
    const err = await loadClipModel(dir, { threads: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODEL_INVALID' });
    expect((err as Error).message).toContain('gives NaN or infinite outputs');
  });

  it('ignores a damaged cache file and writes a good one', async () => {
    fs.mkdirSync(path.dirname(modelCheckFile(dataDir)), { recursive: true });
    fs.writeFileSync(modelCheckFile(dataDir), '{not json');
    const m = await loadClipModel(MINI, { threads: 1 });
    expect(m.info.dim).toBeGreaterThan(0);
    await m.close();
    expect(entries()).toHaveLength(1);
  });
});
