/**
 * A distributed evaluate's parts without Redis (issue 15; the queue itself is in
 * test/cluster/evaluate.test.ts): a worker's image slices of a file and its slices of the text
 * batches the starting process's pass lists, embedded by processEvalSlice and read back from their
 * files, give embed-corpus.ts the very matrices (bit for bit), links, rows and skipped lines it
 * builds with the model in this process. A worker of another model or a smaller batch size, a
 * slice file of another model or cut short, and an image the workers did not send are refused
 * with an AppError. Real mini-clip model, real files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipModel, type ClipModel } from '@/lib/clip';
import { getConfig } from '@/lib/config';
import { readEvalSliceFile, writeEvalSliceFile } from '@/lib/distributed/eval-slice-file';
import { processEvalSlice, type EvalSliceData } from '@/lib/distributed/eval-slices';
import { sliceRanges } from '@/lib/distributed/slices';
import { embedCorpusForEval } from '@/lib/eval/embed-corpus';
import type { QueuedVectors } from '@/lib/eval/eval-vectors';
import { ROOT } from '../helpers/cli';

const MODEL_DIR = path.resolve(ROOT, process.env.CLIPDEX_TEST_MODEL_DIR ?? 'models/mini-clip');
let dir: string;
let model: ClipModel;
let corpus: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-eval-slices-'));
  model = await loadClipModel(MODEL_DIR, { threads: 1 });
  // 40 demo pairs, a repeated image under another caption in a later slice, bytes that are no
  // image twice (two slices see it), a line without an image.
  const lines = fs.readFileSync(path.join(ROOT, 'demo', 'valid.tsv'), 'utf8').split('\n').filter((l) => l.trim()).slice(0, 40);
  const notImage = Buffer.from('no image here').toString('base64');
  lines.splice(3, 0, `first broken\t${notImage}`);
  lines.splice(10, 0, 'a caption without an image');
  lines.push(`another caption of an earlier image\t${lines[1].split('\t')[1]}`, `second broken\t${notImage}`);
  corpus = path.join(dir, 'pairs.tsv');
  fs.writeFileSync(corpus, `${lines.join('\n')}\n`);
}, 60_000);

afterAll(async () => {
  await model?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const slice = (k: number, r: { first: number; last: number }, over: Partial<EvalSliceData> = {}): EvalSliceData => ({
  jobId: 'test', slice: k, part: 'pairs', path: corpus, ...r, modelId: model.info.id, batchSize: 4, out: path.join(dir, 'eval', `slice-${k}.bin`), ...over,
});

describe('evaluate slices embedded by a worker', () => {
  it('give the same set as embedding the file in this process, bit for bit', async () => {
    const deps = { config: { ...getConfig(), batchSize: 8 }, model };
    const queued: QueuedVectors = { images: new Map(), textBatches: [] };
    let records = 0;
    let unreadable = 0;
    for (const [k, r] of sliceRanges(44, 8).entries()) {
      const res = await processEvalSlice(deps, slice(k, { first: r.firstLine, last: r.lastLine }));
      records += res.count;
      unreadable += res.unreadable;
      for (const [sha, v] of (await readEvalSliceFile(path.join(dir, 'eval', `slice-${k}.bin`), model.info.id)).images) if (!queued.images.has(sha)) queued.images.set(sha, v);
    }
    expect(records).toBe(44);
    expect(unreadable).toBe(2); // the broken image, once in each of two slices
    const set = await embedCorpusForEval(corpus, model, { batchSize: 8, queued });
    // The pass listed the text batches; workers encode them, two batches a slice.
    const texts: Float32Array[] = [];
    for (const [k, r] of sliceRanges(queued.textBatches.length, 2).entries()) {
      const batches = path.join(dir, 'eval', `texts-${k}.json`);
      fs.writeFileSync(batches, JSON.stringify(queued.textBatches.slice(r.firstLine - 1, r.lastLine)));
      const d = slice(100 + k, { first: r.firstLine, last: r.lastLine }, { part: 'texts', path: batches });
      expect((await processEvalSlice(deps, d)).texts).toBe(queued.textBatches.slice(r.firstLine - 1, r.lastLine).flat().length);
      texts.push(...(await readEvalSliceFile(d.out, model.info.id)).texts);
    }
    expect(texts.length).toBe(set.texts.rows);
    texts.forEach((v, row) => set.texts.data.set(v, row * set.texts.dim));

    const here = await embedCorpusForEval(corpus, model, { batchSize: 8 });
    expect(set.images.rows).toBe(40);
    expect(Buffer.from(set.images.data.buffer).equals(Buffer.from(here.images.data.buffer))).toBe(true);
    expect(Buffer.from(set.texts.data.buffer).equals(Buffer.from(here.texts.data.buffer))).toBe(true);
    expect(set.links).toEqual(here.links);
    expect(set.rows).toEqual(here.rows);
    expect(set.skipped).toEqual(here.skipped);
    expect(set.skipped.map((s) => s.line)).toEqual([4, 11, 44]);
  }, 120_000);

  it('a worker of another model, or with a smaller batch size than the evaluate\'s text batches, refuses the slice', async () => {
    const deps = { config: { ...getConfig(), batchSize: 8 }, model };
    await expect(processEvalSlice(deps, slice(0, { first: 1, last: 4 }, { modelId: 'another-model' }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/this worker's model is .* but the evaluate was started with another-model/),
    });
    const batches = path.join(dir, 'small.json');
    fs.writeFileSync(batches, JSON.stringify([['a dog', 'a cat', 'a car']]));
    await expect(processEvalSlice({ config: { ...getConfig(), batchSize: 2 }, model }, slice(0, { first: 1, last: 1 }, { part: 'texts', path: batches }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/CLIPDEX_BATCH_SIZE is 2 but the evaluate encodes 3 texts at once/),
    });
  });

  it('a slice file of another model, or cut short, is refused; a retry replaces a file whole', async () => {
    const file = path.join(dir, 'eval', 'one.bin');
    const v = new Float32Array(model.info.dim).fill(0.5);
    const images = new Map<string, Float32Array | string>([['aa', v], ['bb', 'not an image']]);
    await writeEvalSliceFile(file, { modelId: 'm1', dim: v.length, images, texts: [v, v] });
    await writeEvalSliceFile(file, { modelId: model.info.id, dim: v.length, images, texts: [v] });
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const back = await readEvalSliceFile(file, model.info.id);
    expect(back.images.get('bb')).toBe('not an image');
    expect([...(back.images.get('aa') as Float32Array)]).toEqual([...v]);
    expect(back.texts.map((t) => [...t])).toEqual([[...v]]);
    await expect(readEvalSliceFile(file, 'other')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/holds vectors of model .* but the evaluate runs other/) });
    fs.truncateSync(file, fs.statSync(file).size - 4);
    await expect(readEvalSliceFile(file, model.info.id)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/expected \d+: a damaged evaluate slice file/) });
  });

  it('an image the workers did not send (the file changed meanwhile) is an error, not a different result', async () => {
    await expect(embedCorpusForEval(corpus, model, { batchSize: 8, queued: { images: new Map(), textBatches: [] } })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/no vector came back from the workers for the image with sha256 [0-9a-f]{64} of .*: was the file changed during the evaluate/),
    });
  });
});
