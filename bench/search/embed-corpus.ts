/**
 * Real embeddings for the search bench: every distinct image and caption of a corpus (the demo
 * corpus by default) through lib/clip, written to bench/.cache/search/real-base-{images,texts}.f32
 * with real-base.json. bench/search/data.ts grows them to N vectors.
 *
 *   npx tsx bench/search/embed-corpus.ts [--corpus PATH[,PATH…]] [--model DIR] [--max 20000] [--threads 2]
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { getConfig } from '../../lib/config';
import { loadClipModel } from '../../lib/clip';
import { readCorpus } from '../../lib/corpus';
import { parseArgs } from '../shared/stats';
import { REAL_BASE_META, SEARCH_CACHE, type RealBaseMeta } from './data';
import { writeTyped } from './files';

const args = parseArgs(process.argv.slice(2));
const cfg = getConfig();
// The demo corpus start.mjs ingests (CLIPDEX_DEMO_CORPUS), unless --corpus says otherwise.
const corpora = (args.get('corpus') ?? process.env.CLIPDEX_DEMO_CORPUS ?? './demo/train.tsv').split(',').map((c) => path.resolve(c));
const modelDir = path.resolve(args.get('model') ?? cfg.modelDir);
const max = Number(args.get('max') ?? 20000);
const threads = Number(args.get('threads') ?? cfg.threads);

const model = await loadClipModel(modelDir, { threads });
const dim = model.info.dim;
const seenImg = new Set<string>();
const seenTxt = new Set<string>();
const images: Buffer[] = [];
const texts: string[] = [];
for (const corpus of corpora)
for await (const r of readCorpus(corpus, args.get('texts') ? { texts: args.get('texts') } : {})) {
  const img = r.kind === 'pair' || r.kind === 'image' ? r.image : undefined;
  const txt = r.kind === 'pair' || r.kind === 'text' ? r.text : r.kind === 'image' ? r.caption : undefined;
  if (img && images.length < max) {
    const h = crypto.createHash('sha256').update(img).digest('hex');
    if (!seenImg.has(h)) (seenImg.add(h), images.push(img));
  }
  if (txt && texts.length < max && !seenTxt.has(txt)) (seenTxt.add(txt), texts.push(txt));
  if (images.length >= max && texts.length >= max) break;
}
if (!images.length) throw new Error(`${corpora.join(', ')}: no images read`);

async function embed<T>(items: T[], fn: (b: T[]) => Promise<Float32Array[]>): Promise<Float32Array> {
  const out = new Float32Array(items.length * dim);
  let bad = 0;
  for (let i = 0; i < items.length; i += 64) {
    const batch = items.slice(i, i + 64);
    let vs: Float32Array[];
    try {
      vs = await fn(batch);
    } catch {
      // A bad image fails its whole batch: retry one by one and drop what still fails.
      vs = [];
      for (const b of batch) {
        try {
          vs.push((await fn([b]))[0]);
        } catch {
          bad++;
          vs.push(new Float32Array(0));
        }
      }
    }
    vs.forEach((v, j) => v.length && out.set(v, (i + j) * dim));
    process.stderr.write(`\r  ${Math.min(i + 64, items.length)}/${items.length}`);
  }
  process.stderr.write(bad ? `\n  ${bad} undecodable items dropped\n` : '\n');
  // Drop the rows of items that failed (all zeros).
  const keep: number[] = [];
  for (let i = 0; i < items.length; i++) if (out[i * dim] !== 0 || out.subarray(i * dim, (i + 1) * dim).some((x) => x !== 0)) keep.push(i);
  const packed = new Float32Array(keep.length * dim);
  keep.forEach((k, j) => packed.set(out.subarray(k * dim, (k + 1) * dim), j * dim));
  return packed;
}

const t0 = performance.now();
const imgVecs = await embed(images, (b) => model.encodeImages(b));
const txtVecs = await embed(texts, (b) => model.encodeTexts(b));
fs.mkdirSync(SEARCH_CACHE, { recursive: true });
writeTyped(path.join(SEARCH_CACHE, 'real-base-images.f32'), imgVecs);
writeTyped(path.join(SEARCH_CACHE, 'real-base-texts.f32'), txtVecs);
const meta: RealBaseMeta = {
  model: model.info.name,
  modelId: model.info.id,
  dim,
  images: imgVecs.length / dim,
  texts: txtVecs.length / dim,
  corpus: corpora.map((c) => path.relative(process.cwd(), c)).join(' + '),
  date: new Date().toISOString(),
};
fs.writeFileSync(REAL_BASE_META, JSON.stringify(meta, null, 1));
console.log(`${meta.images} image and ${meta.texts} text embeddings (dim ${dim}, model ${meta.model} ${meta.modelId}) in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${path.relative(process.cwd(), SEARCH_CACHE)}`);
await model.close();
