/**
 * Changing the model: vectors of the old model are never mixed in; the indexes are rebuilt for
 * the new one, the items it has no vector for are reported, and a reindex job embeds them from the
 * stored originals (not the corpus file). Switching back needs no inference at all.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReindexJob } from '../../lib/ingest';
import { ingestCorpus } from '../../lib/ingest';
import { search } from '../../lib/search';
import { CORPUS, ROOT, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('reindex');
afterAll(() => t.cleanup());
const MODEL_B = path.join(ROOT, 'models', 'fixtures', 'chinese-clip-tiny');

describe('model change', () => {
  it('rebuilds for the new model, re-embeds from stored originals, and switches back without inference', async () => {
    let e = await t.open();
    const modelA = e.model.info.id;
    const modelADir = t.env.CLIPDEX_MODEL_DIR;
    await ingestCorpus({ path: path.join(CORPUS, 'pairs.tsv'), dataset: 'pairs' }, e);
    await t.close();

    t.env.CLIPDEX_MODEL_DIR = MODEL_B;
    e = await t.open();
    expect(e.model.info.id).not.toBe(modelA);
    expect(e.indexReport.image).toMatchObject({ action: 'rebuilt', count: 0 });
    expect(e.indexReport.needsReembed).toEqual({ images: 3, texts: 3 });
    expect(e.indexReport.messages.at(-1)).toMatch(/3 images and 3 texts have no vector for the active model .*clipdex reindex/);
    expect(e.indexes.image.dim).toBe(e.model.info.dim);

    const job = await startReindexJob(e);
    const outcome = await job.done;
    expect('error' in outcome).toBe(false);
    expect('result' in outcome && outcome.result).toMatchObject({ reembedded: { images: 3, texts: 3 }, indexed: { images: 3, texts: 3 }, errors: 0 });
    expect(await e.db.imageVector.count()).toBe(6); // both models' vectors are kept
    const r = await search({ query: { text: '红色' }, want: 'image', k: 3 }, e);
    expect(r.hits).toHaveLength(3);
    await t.close();

    t.env.CLIPDEX_MODEL_DIR = modelADir;
    e = await t.open();
    expect(e.model.info.id).toBe(modelA);
    expect(e.indexReport.image).toMatchObject({ action: 'rebuilt', count: 3 });
    expect(e.indexReport.needsReembed).toEqual({ images: 0, texts: 0 });
  });
});
