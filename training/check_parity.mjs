// Verify models/mini-clip against parity.json with onnxruntime-node and @huggingface/tokenizers.
// usage: node training/check_parity.mjs [modelDir] [tokenizerCases.json]
// Checks: tokenizer ids (JS vs Python), text_embeds and image_embeds (max abs diff <= tolerance),
// batching with padding (the same texts padded together give the same embeddings).
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const ort = require('onnxruntime-node');
const { Tokenizer } = require('@huggingface/tokenizers');

const dir = process.argv[2] || join(here, '..', 'models', 'mini-clip');
const casesFile = process.argv[3] || join(here, 'build', 'tokenizer_cases.json');
const parity = JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8'));
const tol = parity.tolerance;
const maxLen = parity.max_length;
let failures = 0;
const fail = (msg) => { failures++; console.error('FAIL ' + msg); };

const tk = new Tokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')),
  JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
const encode = (text) => {
  const ids = tk.encode(text).ids;                       // [CLS] ... [SEP], no truncation
  return ids.length > maxLen ? [...ids.slice(0, maxLen - 1), ids[ids.length - 1]] : ids;
};
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

// 1. tokenizer: parity texts, then every caption of the corpus
for (const t of parity.texts) {
  const full = tk.encode(t.text).ids;
  if (!same(full, t.full_input_ids)) fail(`tokenizer full ids for ${JSON.stringify(t.text)}: ${full} != ${t.full_input_ids}`);
  if (!same(encode(t.text), t.input_ids)) fail(`tokenizer truncated ids for ${JSON.stringify(t.text)}`);
}
if (existsSync(casesFile)) {
  const cases = JSON.parse(readFileSync(casesFile, 'utf8'));
  let bad = 0;
  for (const c of cases) {
    const ids = tk.encode(c.text).ids;
    if (!same(ids, c.ids)) { if (bad++ < 10) fail(`tokenizer ${JSON.stringify(c.text)}: js ${ids} py ${c.ids}`); }
  }
  console.log(`tokenizer: ${cases.length - bad}/${cases.length} corpus captions and edge cases identical`);
  if (bad) failures++;
}

const maxDiff = (a, b) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
const opts = { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all' };

// 2. text model, one at a time and padded together as one batch
const text = await ort.InferenceSession.create(join(dir, 'onnx', 'text_model.onnx'), opts);
const runText = async (seqs) => {
  const n = Math.max(...seqs.map((s) => s.length));
  const ids = new BigInt64Array(seqs.length * n), mask = new BigInt64Array(seqs.length * n);
  seqs.forEach((s, i) => s.forEach((v, j) => { ids[i * n + j] = BigInt(v); mask[i * n + j] = 1n; }));
  const out = await text.run({
    input_ids: new ort.Tensor('int64', ids, [seqs.length, n]),
    attention_mask: new ort.Tensor('int64', mask, [seqs.length, n]),
  });
  const e = out.text_embeds; const d = e.dims[1];
  return seqs.map((_, i) => e.data.subarray(i * d, (i + 1) * d));
};
let worst = 0;
for (const t of parity.texts) {
  const [e] = await runText([t.input_ids]);
  const m = maxDiff(e, t.text_embeds); worst = Math.max(worst, m);
  if (m > tol) fail(`text_embeds ${JSON.stringify(t.text)} max abs diff ${m}`);
}
const batched = await runText(parity.texts.map((t) => t.input_ids));
batched.forEach((e, i) => { const m = maxDiff(e, parity.texts[i].text_embeds); worst = Math.max(worst, m); if (m > tol) fail(`padded batch text ${i}: ${m}`); });
console.log(`text: ${parity.texts.length} texts, single and padded batch, max abs diff ${worst.toExponential(2)}`);

// 3. vision model on the stored pixel values, one at a time and as one batch
const vision = await ort.InferenceSession.create(join(dir, 'onnx', 'vision_model.onnx'), opts);
const decode = (p) => { const b = Buffer.from(p.base64, 'base64'); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
worst = 0;
const pix = parity.images.map((im) => decode(im.pixel_values));
for (const [i, im] of parity.images.entries()) {
  if (!existsSync(join(dir, im.file))) fail(`missing ${im.file}`);
  const out = await vision.run({ pixel_values: new ort.Tensor('float32', pix[i], im.pixel_values.shape) });
  const m = maxDiff(out.image_embeds.data, im.image_embeds); worst = Math.max(worst, m);
  if (m > tol) fail(`image_embeds ${im.file} max abs diff ${m}`);
}
const [, c, h, w] = parity.images[0].pixel_values.shape;
const all = new Float32Array(pix.length * c * h * w); pix.forEach((p, i) => all.set(p, i * c * h * w));
const out = await vision.run({ pixel_values: new ort.Tensor('float32', all, [pix.length, c, h, w]) });
const d = out.image_embeds.dims[1];
parity.images.forEach((im, i) => { const m = maxDiff(out.image_embeds.data.subarray(i * d, (i + 1) * d), im.image_embeds); worst = Math.max(worst, m); if (m > tol) fail(`batched image ${i}: ${m}`); });
console.log(`vision: ${parity.images.length} images, single and batched, max abs diff ${worst.toExponential(2)}`);
console.log(`inputs: text ${text.inputNames} -> ${text.outputNames}; vision ${vision.inputNames} -> ${vision.outputNames}`);

// 4. informational: sharp preprocessing (what clipdex does) versus the PIL reference pixel values
try {
  const sharp = require('sharp');
  const size = parity.image_size;
  for (const [i, im] of parity.images.entries()) {
    const meta = await sharp(join(dir, im.file)).rotate().metadata();
    const [w0, h0] = [meta.width, meta.height];
    const short = Math.min(w0, h0), long = Math.max(w0, h0);
    const nl = Math.floor(size * long / short);
    const [w, h] = w0 <= h0 ? [size, nl] : [nl, size];
    let img = sharp(join(dir, im.file)).rotate().flatten({ background: '#ffffff' });
    if (short !== size) img = img.resize(w, h, { kernel: 'cubic', fit: 'fill' });
    const raw = await img.extract({ left: Math.floor((w - size) / 2), top: Math.floor((h - size) / 2), width: size, height: size })
      .removeAlpha().raw().toBuffer();
    const x = new Float32Array(3 * size * size);
    for (let p = 0; p < size * size; p++) for (let ch = 0; ch < 3; ch++) x[ch * size * size + p] = (raw[p * 3 + ch] / 255 - 0.5) / 0.5;
    const out = await vision.run({ pixel_values: new ort.Tensor('float32', x, [1, 3, size, size]) });
    const e = out.image_embeds.data; let cos = 0; for (let k = 0; k < e.length; k++) cos += e[k] * im.image_embeds[k];
    console.log(`sharp vs PIL ${im.file}: pixel max abs diff ${maxDiff(x, pix[i]).toFixed(4)} (${(maxDiff(x, pix[i]) * 127.5).toFixed(1)} grey levels), embedding cosine ${cos.toFixed(5)}`);
  }
} catch (e) { console.log(`(sharp comparison skipped: ${e.message})`); }

if (failures) { console.error(`parity check FAILED (${failures})`); process.exit(1); }
console.log(`parity OK (tolerance ${tol})`);
