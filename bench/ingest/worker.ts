/**
 * One ingest in a fresh process with a fresh data dir (CLIPDEX_DATA_DIR / CLIPDEX_MODEL_DIR set by
 * bench/ingest.ts): a read-only pass over the corpus (read + base64 through lib/corpus), the real
 * ingestCorpus through getEngine() as `clipdex ingest` opens it, then the bare-inference bound of the same model with the same
 * threads and batch size (session.run on ready-made tensors, images and the corpus's texts).
 * Prints `RESULT <json>`.
 */
import ort from 'onnxruntime-node';
import { getConfig } from '../../lib/config';
import { readCorpus } from '../../lib/corpus';
import { closeEngine, getEngine } from '../../lib/engine';
import { ingestCorpus } from '../../lib/ingest';
import { readModelManifest } from '../../lib/clip';

const job = JSON.parse(process.argv[2]) as { path: string; texts?: string; images: number; texts_n: number };
const cfg = getConfig();

let peak = process.memoryUsage.rss();
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);

// Read + base64 alone (the corpus is then in the page cache for the ingest too).
let t = performance.now();
let records = 0;
const corpusTexts = new Set<string>();
for await (const r of readCorpus(job.path, job.texts ? { texts: job.texts } : {})) {
  if (r.kind === 'error') continue;
  records++;
  const text = r.kind === 'pair' || r.kind === 'text' ? r.text : r.kind === 'image' ? r.caption : undefined;
  if (text !== undefined && corpusTexts.size < 256) corpusTexts.add(text);
}
const readSeconds = (performance.now() - t) / 1000;

t = performance.now();
// As `clipdex ingest` opens it: the image tower in a worker thread.
const engine = await getEngine({ log: () => undefined, imageTowerInWorker: true });
const openSeconds = (performance.now() - t) / 1000;
const rssBefore = process.memoryUsage.rss();
peak = rssBefore;
const summary = await ingestCorpus({ path: job.path, texts: job.texts, dataset: 'bench' }, engine);
const peakRss = peak;
const info = engine.model.info;
// The corpus's own captions, tokenized as lib/clip does (each batch padded only to its longest
// caption, as lib/clip does for every model with a dynamic sequence axis — both models here).
const textBatches: { ids: number[][]; mask: number[][] }[] = [];
const captionList = [...corpusTexts];
for (let i = 0; i < captionList.length; i += cfg.batchSize) {
  const tb = engine.model.tokenize(captionList.slice(i, i + cfg.batchSize));
  const width = Math.max(1, ...tb.attentionMask.map((m) => m.reduce((a, v) => a + v, 0)));
  textBatches.push({ ids: tb.inputIds.map((r) => r.slice(0, width)), mask: tb.attentionMask.map((r) => r.slice(0, width)) });
}
await closeEngine();
clearInterval(sampler);

// The bound: bare session.run at the ingest's thread count and batch size.
const m = readModelManifest(cfg.modelDir);
const so: ort.InferenceSession.SessionOptions = { intraOpNumThreads: cfg.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const b = cfg.batchSize;
const S = info.imageSize;
const vision = await ort.InferenceSession.create(m.visionModel, so);
const px = new ort.Tensor('float32', new Float32Array(b * 3 * S * S).fill(0.1), [b, 3, S, S]);
await vision.run({ [vision.inputNames[0]]: px });
const rounds = Math.max(2, Math.ceil(96 / b));
t = performance.now();
for (let i = 0; i < rounds; i++) await vision.run({ [vision.inputNames[0]]: px });
const bareImageSeconds = (performance.now() - t) / 1000 / (rounds * b);
await vision.release();
const text = await ort.InferenceSession.create(m.textModel, so);
const feedsOf = (tb: { ids: number[][]; mask: number[][] }) => {
  const dims = [tb.ids.length, tb.ids[0].length];
  const feeds: Record<string, ort.Tensor> = {};
  for (const n of text.inputNames) {
    const rows = n === 'attention_mask' ? tb.mask : tb.ids;
    feeds[n] = new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), dims);
  }
  return feeds;
};
const textFeeds = textBatches.map(feedsOf);
let bareTextSeconds = 0;
if (textFeeds.length) {
  await text.run(textFeeds[0]);
  const n = textBatches.reduce((a, tb) => a + tb.ids.length, 0);
  t = performance.now();
  for (let r = 0; r < 2; r++) for (const f of textFeeds) await text.run(f);
  bareTextSeconds = (performance.now() - t) / 1000 / (2 * n);
}
await text.release();

process.stdout.write(`RESULT ${JSON.stringify({ summary: { ...summary, errors: summary.errors.slice(0, 5) }, records, readSeconds, openSeconds, rssBefore, peakRss, bareImageSeconds, bareTextSeconds, model: `${info.name} ${info.id}`, threads: cfg.threads, batchSize: b })}\n`);
