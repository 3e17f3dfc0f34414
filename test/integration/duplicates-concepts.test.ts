/**
 * Different drawings of one concept are not near-duplicates (issue 11). demo/valid.tsv has 26
 * captions that name two different images each (Noto vs Twemoji vs Fluent "telescope", …). The
 * bundled model puts many of them as close as a resized copy, so CLIP similarity alone would group
 * them (9 of 26 at ≥ 0.95); the pixel check keeps all but 2 apart — and those 2 ("person playing
 * water polo", "水牛") are Fluent's flat and colour renderings of one drawing, the same outline in
 * slightly different shading. The figures are printed; README "Near-duplicates" has the full
 * measurement (bench/duplicates/threshold.ts).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToVector } from '../../lib/db';
import { duplicateGroupsOf, DEFAULT_DUPLICATE_THRESHOLD } from '../../lib/duplicates';
import type { Engine } from '../../lib/engine';
import { ingestCorpus } from '../../lib/ingest';
import { readPairsTsv } from '../helpers/cli';
import { sha256, writePairs } from './duplicates-helpers';
import { makeTestEnv, ROOT } from './engine-helpers';

const t = makeTestEnv('dup-concepts');
let e: Engine;
let pairs: [string, string, string][] = []; // caption, sha a, sha b

beforeAll(async () => {
  e = await t.open();
  const byCaption = new Map<string, Map<string, Buffer>>();
  for (const { text, image } of readPairsTsv(path.join(ROOT, 'demo', 'valid.tsv'))) {
    const m = byCaption.get(text) ?? byCaption.set(text, new Map()).get(text)!;
    m.set(sha256(image), image);
  }
  const rows: { caption: string; image: Buffer }[] = [];
  for (const [caption, images] of byCaption) {
    if (images.size !== 2) continue;
    const [[a, ia], [b, ib]] = [...images];
    pairs.push([caption, a, b]);
    rows.push({ caption, image: ia }, { caption, image: ib });
  }
  await ingestCorpus({ path: writePairs(path.join(t.dataDir, 'concepts.tsv'), rows), dataset: 'concepts' }, e);
}, 120_000);
afterAll(() => t.cleanup());

describe('different drawings of one concept', () => {
  it('are often close for CLIP, yet rarely grouped', async () => {
    expect(pairs.length).toBe(26);
    const rows = await e.db.image.findMany({ select: { id: true, sha256: true, vectors: { select: { data: true } } } });
    const bySha = new Map(rows.map((r) => [r.sha256, { id: r.id, v: bytesToVector(r.vectors[0].data) }]));
    const groups = await duplicateGroupsOf(e.db, rows.map((r) => r.id), e.model.info.id);
    let clipClose = 0;
    const grouped: string[] = [];
    for (const [caption, a, b] of pairs) {
      const x = bySha.get(a)!;
      const y = bySha.get(b)!;
      const clip = x.v.reduce((s, q, i) => s + q * y.v[i], 0);
      if (clip >= DEFAULT_DUPLICATE_THRESHOLD) clipClose++;
      const ga = groups.get(x.id);
      if (ga && ga.groupId === groups.get(y.id)?.groupId) grouped.push(`${caption} (CLIP ${clip.toFixed(3)})`);
    }
    console.log(`same caption, different image: ${clipClose}/26 pairs at CLIP ≥ ${DEFAULT_DUPLICATE_THRESHOLD}; grouped: ${grouped.length} ${grouped.join(', ')}`);
    expect(clipClose).toBeGreaterThanOrEqual(3); // CLIP alone would group these
    expect(grouped.length).toBeLessThanOrEqual(2);
    expect(grouped.length * 3).toBeLessThanOrEqual(clipClose);
  });
});
