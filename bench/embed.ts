/**
 * Embedding bench: images/s and texts/s through lib/clip, against two baselines measured in the
 * same process and interleaved repeat by repeat:
 * - `bare`: onnxruntime-node `session.run` on ready-made tensors with lib/clip's session options
 *   (the upper bound: no decoding, no preprocessing, no tokenising);
 * - `transformers.js`: @huggingface/transformers' CLIPVisionModelWithProjection / CLIPTextModelWithProjection
 *   + AutoProcessor / AutoTokenizer on the same folder (local files only), what a Node developer would pick.
 * lib/clip is timed twice for images: `clipdex` = encodeImages (JPEG bytes → vectors) and
 * `clipdex-pixels` = encodePixels (preprocessed pixels → vectors, its inference path alone).
 *
 *   npx tsx bench/embed.ts [--models models/mini-clip,bench/.cache/vit-b32-random] [--threads 1,2]
 *     [--batch 1,8,32,64] [--kinds images,texts] [--repeats 3] [--min-items 64]
 * The ViT-B/32-shaped model is made by `python3 bench/models/make-vit-b32.py` (random weights), or
 * without PyTorch by `/usr/bin/python3 bench/models/make-vit-b32-onnx.py` (Debian's python3-onnx).
 */
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { loadClipModel, readModelManifest, type ClipModel } from '../lib/clip';
import { printFooter, printHeader, ROOT } from './shared/machine';
import { makeCaptions, makeImages } from './shared/images';
import { listArg, median, numListArg, parseArgs, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const modelDirs = listArg(args, 'models', 'models/mini-clip,bench/.cache/vit-b32-random').map((d) => path.resolve(ROOT, d));
const threadsList = numListArg(args, 'threads', '1,2');
const batches = numListArg(args, 'batch', '1,8,32,64');
const kinds = listArg(args, 'kinds', 'images,texts');
const repeats = numListArg(args, 'repeats', '3')[0];
const minItems = numListArg(args, 'min-items', '64')[0];
const maxBatch = Math.max(...batches);

printHeader('Embedding throughput: lib/clip vs bare onnxruntime vs Transformers.js', ['onnxruntime-node', '@huggingface/transformers', 'sharp', '@huggingface/tokenizers']);
console.log(`- inputs: ${maxBatch} generated 500×500 JPEGs (q85, MUGE-like) and ${maxBatch} emoji-style captions (2–10 words); each cell = median over ${repeats} repeats of ≥ ${minItems} items, methods interleaved; one warm-up batch per cell; session options as lib/clip (intraOpNumThreads = threads, interOpNumThreads 1, sequential, graph optimisation all)\n`);

const images = await makeImages('muge', maxBatch);
const captions = makeCaptions(maxBatch);

type Method = { name: string; run: (b: number) => Promise<unknown> };

async function timeCell(methods: Method[], batch: number): Promise<Record<string, number>> {
  const rounds = Math.max(1, Math.ceil(minItems / batch));
  const rates: Record<string, number[]> = {};
  for (const m of methods) await m.run(batch); // warm-up
  for (let r = 0; r < repeats; r++) {
    for (const m of methods) {
      const t0 = performance.now();
      for (let i = 0; i < rounds; i++) await m.run(batch);
      (rates[m.name] ??= []).push((rounds * batch) / ((performance.now() - t0) / 1000));
    }
  }
  return Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)]));
}

function int64(rows: number[][]): ort.Tensor {
  const w = rows[0].length;
  const data = new BigInt64Array(rows.length * w);
  rows.forEach((r, i) => r.forEach((x, j) => (data[i * w + j] = BigInt(x))));
  return new ort.Tensor('int64', data, [rows.length, w]);
}

async function benchModel(dir: string): Promise<void> {
  if (!fs.existsSync(dir)) {
    console.log(`### ${path.relative(ROOT, dir)}\n\nskipped: folder absent${dir.includes('vit-b32') ? ' (make it with `python3 bench/models/make-vit-b32.py`, or `make-vit-b32-onnx.py` without PyTorch)' : ''}\n`);
    return;
  }
  const manifest = readModelManifest(dir);
  const tf = await import('@huggingface/transformers');
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.localModelPath = path.dirname(dir) + path.sep;
  const tfName = path.basename(dir);
  const rows: (string | number | undefined)[][] = [];
  let info = '';
  for (const threads of threadsList) {
    const so: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
    const model: ClipModel = await loadClipModel(dir, { threads, batchSize: maxBatch });
    info = `${model.info.name} (id ${model.info.id}, dim ${model.info.dim}, ${model.info.imageSize} px, context ${model.info.contextLength}, layout ${model.info.layout})`;
    const S = model.info.imageSize;
    const pixels = await Promise.all(images.map((b) => model.preprocessImage(b)));
    let tfErr = '';
    const tfLoad = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await f();
      } catch (err) {
        tfErr = (err as Error).message.split('\n')[0];
        return undefined;
      }
    };
    const opts = { dtype: 'fp32', session_options: so } as never;
    if (kinds.includes('images')) {
      const vision = await ort.InferenceSession.create(manifest.visionModel, so);
      const pxName = vision.inputNames[0];
      const ready = new Float32Array(maxBatch * 3 * S * S).map((_, i) => Math.sin(i) * 1.5);
      const tfProc = await tfLoad(() => tf.AutoProcessor.from_pretrained(tfName));
      const tfVision = await tfLoad(() => tf.CLIPVisionModelWithProjection.from_pretrained(tfName, opts));
      const methods: Method[] = [
        { name: 'bare', run: (b) => vision.run({ [pxName]: new ort.Tensor('float32', ready.subarray(0, b * 3 * S * S), [b, 3, S, S]) }) },
        { name: 'clipdex-pixels', run: (b) => model.encodePixels(pixels.slice(0, b)) },
        { name: 'clipdex', run: (b) => model.encodeImages(images.slice(0, b)) },
      ];
      if (tfProc && tfVision) {
        methods.push({
          name: 'transformers.js',
          run: async (b) => {
            const raws = await Promise.all(images.slice(0, b).map((x) => tf.RawImage.fromBlob(new Blob([new Uint8Array(x)]))));
            return tfVision(await tfProc(raws));
          },
        });
      }
      for (const b of batches) {
        const r = await timeCell(methods, b);
        rows.push(['images', threads, b, r.bare, r['clipdex-pixels'], r.clipdex, r['transformers.js'], r.clipdex / r.bare, r['clipdex-pixels'] / r.bare, r['transformers.js'] / r.bare, r.clipdex / r['transformers.js']]);
        process.stderr.write(`  ${path.basename(dir)} images t=${threads} b=${b}: ${JSON.stringify(r)}\n`);
      }
      await vision.release();
      await (tfVision as { dispose?: () => Promise<unknown> } | undefined)?.dispose?.();
    }
    if (kinds.includes('texts')) {
      const text = await ort.InferenceSession.create(manifest.textModel, so);
      const tok = model.tokenize(captions);
      // `trim`: cut the padding to the longest caption of the batch (as Transformers.js does);
      // valid when the ONNX sequence axis is dynamic.
      const feedsFor = (b: number, trim = false): Record<string, ort.Tensor> => {
        const len = trim ? Math.max(...tok.attentionMask.slice(0, b).map((m) => m.reduce((a, x) => a + x, 0))) : tok.inputIds[0].length;
        const ids = tok.inputIds.slice(0, b).map((r) => r.slice(0, len));
        const f: Record<string, ort.Tensor> = {};
        for (const n of text.inputNames) {
          if (n === 'input_ids' || n === 'text') f[n] = int64(ids);
          else if (n === 'attention_mask') f[n] = int64(tok.attentionMask.slice(0, b).map((r) => r.slice(0, len)));
          else if (n === 'token_type_ids') f[n] = int64(ids.map((r) => r.map(() => 0)));
          else if (n === 'position_ids') f[n] = int64(ids.map((r) => r.map((_, j) => j)));
        }
        return f;
      };
      const tfTok = await tfLoad(() => tf.AutoTokenizer.from_pretrained(tfName));
      const tfText = await tfLoad(() => tf.CLIPTextModelWithProjection.from_pretrained(tfName, opts));
      const methods: Method[] = [
        { name: 'bare', run: (b) => text.run(feedsFor(b)) },
        { name: 'clipdex', run: (b) => model.encodeTexts(captions.slice(0, b)) },
      ];
      const dynamicSeq = await text.run(feedsFor(2, true)).then(() => true, () => false);
      if (dynamicSeq) methods.push({ name: 'bare-trimmed', run: (b) => text.run(feedsFor(b, true)) });
      if (tfTok && tfText) methods.push({ name: 'transformers.js', run: (b) => tfText(tfTok(captions.slice(0, b), { padding: true, truncation: true })) });
      for (const b of batches) {
        const r = await timeCell(methods, b);
        rows.push(['texts', threads, b, r.bare, r['bare-trimmed'], r.clipdex, r['transformers.js'], r.clipdex / r.bare, r['bare-trimmed'] / r.bare, r['transformers.js'] / r.bare, r.clipdex / r['transformers.js']]);
        process.stderr.write(`  ${path.basename(dir)} texts t=${threads} b=${b}: ${JSON.stringify(r)}\n`);
      }
      await text.release();
      await (tfText as { dispose?: () => Promise<unknown> } | undefined)?.dispose?.();
    }
    if (tfErr) info += `; Transformers.js could not load it: ${tfErr}`;
    await model.close();
  }
  console.log(`### ${path.relative(ROOT, dir)}\n\n${info}\n`);
  console.log(table(['kind', 'threads', 'batch', 'bare items/s', 'clipdex-pixels (images) or bare-trimmed (texts) items/s', 'clipdex items/s', 'transformers.js items/s', 'clipdex / bare', 'clipdex-pixels or bare-trimmed / bare', 'transformers.js / bare', 'clipdex / transformers.js'], rows));
  console.log('');
}

for (const dir of modelDirs) await benchModel(dir);
console.log('Text note: lib/clip pads every caption to the context length and `bare` is fed those ids; Transformers.js pads to the longest caption in the batch, and so does `bare-trimmed` (shown only when the ONNX sequence axis is dynamic).');
printFooter();
