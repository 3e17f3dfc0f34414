import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asNoSpace, checkHnswFile, writeWhole } from './hnsw-file';
import { hnswlibChoice } from './hnswlib-module';

describe('checkHnswFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-hnswfile-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // A real hnswlib file: 3,000 points at M 4, so many have upper-level links (non-zero lengths).
  const dim = 8;
  const n = 3000;
  const file = path.join(dir, 'whole.hnsw');
  const { HierarchicalNSW } = hnswlibChoice().module;
  const h = new HierarchicalNSW('ip', dim);
  h.initIndex(n, 4, 20, 7);
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  for (let i = 0; i < n; i++) h.addPoint(Array.from({ length: dim }, rnd), i);
  h.writeIndexSync(file);
  const whole = fs.readFileSync(file);

  it('accepts a whole file and reads its shape', async () => {
    const shape = await checkHnswFile(file);
    expect(shape.count).toBe(n);
    expect(shape.bytes).toBe(whole.length);
    // Upper-level links exist, so the walk over their lengths was tested, not only the level-0 block.
    expect(whole.length).toBeGreaterThan(96 + n * shape.sizeDataPerElement + 4 * n);
  });

  it('rejects the file cut anywhere: in the header, in level 0, in the links, one byte short', async () => {
    const shape = await checkHnswFile(file);
    const level0End = 96 + n * shape.sizeDataPerElement;
    for (const keep of [0, 50, 96 + 10, level0End - 1, level0End, level0End + 3, whole.length - 100, whole.length - 1]) {
      const cut = path.join(dir, `cut-${keep}.hnsw`);
      fs.writeFileSync(cut, whole.subarray(0, keep));
      await expect(checkHnswFile(cut), `cut at ${keep}`).rejects.toThrow(/cut short|contents say/);
    }
  });

  it('rejects a file with bytes after its end', async () => {
    const long = path.join(dir, 'long.hnsw');
    fs.writeFileSync(long, Buffer.concat([whole, Buffer.from([0])]));
    await expect(checkHnswFile(long)).rejects.toThrow(/contents say/);
  });

  it('writeWhole: a save that comes out short is removed and reported; a whole one is kept', async () => {
    const target = path.join(dir, 'saved.hnsw');
    await expect(writeWhole(target, () => fs.writeFileSync(target, whole.subarray(0, whole.length - 7)))).rejects.toThrow(/contents say|cut short/);
    expect(fs.existsSync(target)).toBe(false);
    await expect(writeWhole(target, () => { throw new Error('cannot write'); })).rejects.toThrow(/cannot write/);
    await writeWhole(target, () => h.writeIndexSync(target));
    expect(fs.readFileSync(target).equals(whole)).toBe(true);
  });

  it('calls a short file ENOSPC only when its file system is out of room', async () => {
    const err = new Error('index file x was cut short');
    expect(await asNoSpace(err, dir)).toBe(err); // this test's temp dir has room
  });
});
