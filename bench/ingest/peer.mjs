// The peer pipeline of issue 13 (target 6): what a Node developer writes with Transformers.js —
// read a pairs TSV (caption<TAB>base64 image), decode every image and embed images and captions in
// batches of 32 with the same model folder. No hashes, no storage, no thumbnails, no database.
//   node bench/ingest/peer.mjs FILE.tsv [MODEL_DIR=models/mini-clip]
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, RawImage, env } from '@huggingface/transformers';

const [file, modelDir = 'models/mini-clip'] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = `${path.dirname(path.resolve(modelDir))}/`;
const name = path.basename(modelDir);
const [processor, tokenizer, vision, text] = await Promise.all([
  AutoProcessor.from_pretrained(name),
  AutoTokenizer.from_pretrained(name),
  CLIPVisionModelWithProjection.from_pretrained(name, { dtype: 'fp32' }),
  CLIPTextModelWithProjection.from_pretrained(name, { dtype: 'fp32' }),
]);
let batch = [];
let n = 0;
async function flush() {
  const images = await Promise.all(batch.map(([, b64]) => RawImage.fromBlob(new Blob([Buffer.from(b64, 'base64')]))));
  await vision(await processor(images));
  await text(tokenizer(batch.map(([t]) => t), { padding: true, truncation: true }));
  n += batch.length;
  batch = [];
}
for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
  const [caption, b64] = line.split('\t');
  if (!b64) continue;
  batch.push([caption, b64]);
  if (batch.length === 32) await flush();
}
if (batch.length) await flush();
console.log(`embedded ${n} pairs`);
process.exit(0);
