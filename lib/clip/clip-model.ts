/**
 * loadClipModel: manifest → sessions → tokenizer and image processor sized from what the ONNX
 * files declare → a ClipModel whose every vector is L2-normalised.
 */
import path from 'node:path';
import { getConfig } from '../config';
import { AppError } from '../errors';
import { mapPool } from '../map-pool';
import { createImageProcessor, resolvePreprocessSpec } from './image-processor';
import { readModelManifest, type Json, type ModelManifest } from './manifest';
import { modelCheckFile, modelCheckKey, readModelCheck, writeModelCheck, type ModelCheckRecord } from './check-cache';
import { computeModelId } from './model-id';
import {
  floatTensor,
  intTensor,
  normalizeRows,
  openSession,
  ortVersion,
  pickOutput,
  staticDim,
  type EncoderSession,
  type IoInfo,
} from './onnx-session';
import { openSessionInWorker, WorkerUnavailable } from './onnx-worker';
import { assertFinite, checkProbeOutputs, probePixels, PROBE_TEXTS } from './self-check';
import { createClipTokenizer, loadTokenizer } from './tokenizer';
import type { ClipModel, ClipModelInfo, LoadClipModelOptions, TokenizedBatch } from './types';

const TEXT_OUTPUTS = ['text_embeds', 'unnorm_text_features'];
const IMAGE_OUTPUTS = ['image_embeds', 'unnorm_image_features'];
const LN_100 = Math.log(100);

function findInput(s: EncoderSession, names: string[], what: string): IoInfo {
  const hit = names.map((n) => s.inputs.find((i) => i.name === n)).find(Boolean);
  if (hit) return hit;
  if (s.inputs.length === 1) return s.inputs[0];
  throw new AppError('MODEL_INVALID', `${s.file}: cannot tell which input is the ${what} (expected ${names.join(' or ')}); inputs are ${s.inputs.map((i) => i.name).join(', ')}`);
}

function refuseUnknownInputs(s: EncoderSession, known: string[]): void {
  const extra = s.inputs.filter((i) => !known.includes(i.name));
  if (extra.length) {
    throw new AppError('MODEL_INVALID', `${s.file}: unsupported input(s) ${extra.map((i) => i.name).join(', ')}; clipdex feeds ${known.join(', ')}`);
  }
}

function logitScaleOf(m: ModelManifest): number {
  if (m.overrides.logitScale !== undefined) return m.overrides.logitScale;
  const v = m.config.logit_scale;
  if (typeof v === 'number' && Number.isFinite(v)) return v <= LN_100 + 1e-6 ? Math.exp(v) : v;
  return 100;
}

function nameOf(m: ModelManifest): string {
  const n = m.overrides.name ?? m.config._name_or_path;
  return typeof n === 'string' && n.trim() !== '' ? n : path.basename(m.dir);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Whether the image tower runs in a worker thread (onnx-worker.ts), so its inference overlaps the
 * decoding, storing and database work of the main thread instead of blocking it. The caller says
 * (LoadClipModelOptions.imageTowerInWorker: `clipdex ingest`); CLIPDEX_ONNX_WORKER=1 or 0 overrides
 * it either way. Measured on 2 cores (bench/RESULTS.md "pass 3, session 14"): once the store's
 * writes no longer hold the image lanes, an ingest of 1,000 JPEGs gains ~3 % with it; a single
 * query gains nothing and the worker costs ~50 ms to start, so searches keep the tower in-thread.
 */
export function imageTowerInWorker(wanted: boolean | undefined, env: string | undefined = process.env.CLIPDEX_ONNX_WORKER): boolean {
  if (env === '1') return true;
  if (env === '0') return false;
  return wanted === true;
}

/** A worker that cannot start falls back to the main thread. */
async function openVisionSession(file: string, threads: number, inWorker: boolean): Promise<EncoderSession> {
  if (!inWorker) return openSession(file, threads);
  try {
    return await openSessionInWorker(file, threads);
  } catch (err) {
    if (err instanceof WorkerUnavailable) return openSession(file, threads);
    throw err;
  }
}

const sameIo = (a: IoInfo[], b: IoInfo[]): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The image tower of a model whose check is remembered (check-cache.ts): it declares what the
 * remembered session declared and opens on its first run, so a text search never pays for it.
 * Opening it later must not pick up other weights than the ones checked (and whose text tower and
 * model id this process uses): `unchanged` re-reads the files' stat fields first, and a changed
 * model is refused until a restart checks it again.
 */
function lazyVisionSession(file: string, threads: number, inWorker: boolean, io: ModelCheckRecord['vision'], unchanged: () => boolean): EncoderSession {
  let opening: Promise<EncoderSession> | undefined;
  let released = false;
  const refuse = (why: string) =>
    new AppError('MODEL_INVALID', `${why}; restart clipdex (or the server) so that it checks the model again, or set CLIPDEX_MODEL_DIR to a sound model`);
  const open = () =>
    (opening ??= (async () => {
      if (!unchanged()) throw refuse(`the model's files changed since this process checked them (${file} was not open yet)`);
      const s = await openVisionSession(file, threads, inWorker);
      if (sameIo(s.inputs, io.inputs) && sameIo(s.outputs, io.outputs)) return s;
      await s.release();
      throw refuse(`${file} declares other inputs or outputs than when it was checked`);
    })().catch((err: unknown) => {
      opening = undefined; // tried again on the next run (a restart, or the files put back)
      throw err;
    }));
  return {
    file,
    inputs: io.inputs,
    outputs: io.outputs,
    async run(feeds, output) {
      if (released) throw new AppError('INTERNAL', `${file}: session already released`);
      return (await open()).run(feeds, output);
    },
    async release() {
      released = true;
      const s = await opening?.catch(() => undefined);
      opening = undefined;
      await s?.release();
    },
  };
}

export async function loadClipModel(dir: string, opts: LoadClipModelOptions = {}): Promise<ClipModel> {
  const cfg = getConfig();
  const threads = opts.threads ?? cfg.threads;
  const inWorker = imageTowerInWorker(opts.imageTowerInWorker);
  const maxPixels = opts.maxImagePixels ?? cfg.maxImagePixels;
  const manifest = readModelManifest(dir);
  const loadedTok = loadTokenizer(manifest);

  // A check this process or an earlier one passed on these very files (check-cache.ts): no hash,
  // no probes, and the image tower opens on first use.
  const checkFile = modelCheckFile(cfg.dataDir);
  const currentCheckKey = (): string | undefined => {
    try {
      return modelCheckKey(manifest.dir, manifest.files, ortVersion());
    } catch {
      return undefined; // a file went missing: the sessions say which
    }
  };
  const checkKey = currentCheckKey();
  const known = checkKey ? readModelCheck(checkFile, checkKey) : undefined;

  // Otherwise both sessions load at once, and the model id (a hash of the files) is computed
  // meanwhile (bench/startup.ts). A text-side failure is reported first.
  const modelId = known ? Promise.resolve(known.id) : computeModelId(manifest.dir, manifest.files);
  modelId.catch(() => undefined); // awaited below; a failure before that is not unhandled
  const [t, v] = await Promise.allSettled([
    openSession(manifest.textModel, threads),
    known
      ? Promise.resolve(lazyVisionSession(manifest.visionModel, threads, inWorker, known.vision, () => currentCheckKey() === checkKey))
      : openVisionSession(manifest.visionModel, threads, inWorker),
  ]);
  if (t.status === 'rejected' || v.status === 'rejected') {
    await Promise.allSettled([t, v].map((r) => (r.status === 'fulfilled' ? r.value.release() : undefined)));
    throw t.status === 'rejected' ? t.reason : (v as PromiseRejectedResult).reason;
  }
  const text = t.value;
  const vision: EncoderSession = v.value;
  try {
    // --- text side: what the session declares decides what we feed
    const ids = findInput(text, ['input_ids', 'text'], 'token ids');
    const mask = text.inputs.find((i) => i.name === 'attention_mask');
    const types = text.inputs.find((i) => i.name === 'token_type_ids');
    const positions = text.inputs.find((i) => i.name === 'position_ids');
    refuseUnknownInputs(text, [ids.name, 'attention_mask', 'token_type_ids', 'position_ids']);
    const textConfig = (manifest.config.text_config ?? {}) as Json;
    const onnxCtx = staticDim(ids.shape?.[1]);
    const o = manifest.overrides;
    if (onnxCtx && o.contextLength && o.contextLength !== onnxCtx) {
      throw new AppError('MODEL_INVALID', `${manifest.dir}/clipdex.json sets contextLength ${o.contextLength} but ${text.file} takes ${onnxCtx} tokens`);
    }
    const mpe = typeof textConfig.max_position_embeddings === 'number' ? textConfig.max_position_embeddings : undefined;
    const contextLength = o.contextLength ?? onnxCtx ?? mpe ?? loadedTok.modelMaxLength ?? (manifest.layout === 'chinese-clip' ? 52 : 77);
    const tokenizer = createClipTokenizer(loadedTok, contextLength);
    const textOut = pickOutput(text, TEXT_OUTPUTS);
    const textBatch = staticDim(ids.shape?.[0]);

    // --- vision side
    const px = findInput(vision, ['pixel_values', 'image'], 'pixel values');
    refuseUnknownInputs(vision, [px.name]);
    const h = staticDim(px.shape?.[2]);
    const w = staticDim(px.shape?.[3]);
    const spec = resolvePreprocessSpec(manifest, h && w ? [h, w] : undefined);
    const processor = createImageProcessor(spec, maxPixels);
    const imageOut = pickOutput(vision, IMAGE_OUTPUTS);
    const imageBatch = staticDim(px.shape?.[0]);
    const batchSize = Math.max(1, opts.batchSize ?? cfg.batchSize);

    // Padding every caption to the context length costs 2–7× in text throughput (bench/embed.ts).
    // When the sequence axis is dynamic and padding cannot change an embedding — the model takes
    // an attention mask, or it is a CLIP text tower (causal attention, pooled at the EOS token) —
    // pad each batch only to its longest caption.
    const isClipText = manifest.config.model_type === 'clip' || textConfig.model_type === 'clip_text_model';
    const trimPadding = !onnxCtx && (mask !== undefined || isClipText);
    const runTexts = async (batch: string[]): Promise<Float32Array[]> => {
      const t = trimPadding ? trimToLongest(tokenizer.encode(batch)) : tokenizer.encode(batch);
      const feeds: Record<string, ReturnType<typeof intTensor>> = { [ids.name]: intTensor(ids, t.inputIds) };
      if (mask) feeds[mask.name] = intTensor(mask, t.attentionMask);
      if (types) feeds[types.name] = intTensor(types, t.inputIds.map((r) => r.map(() => 0)));
      if (positions) feeds[positions.name] = intTensor(positions, t.inputIds.map((r) => r.map((_, j) => j)));
      const r = await text.run(feeds, textOut.name);
      const rows = normalizeRows(r.data, batch.length);
      assertFinite(rows, text.file); // a NaN vector must never reach the database or an index
      return rows;
    };
    const plane = 3 * spec.height * spec.width;
    const runPixels = async (batch: Float32Array[]): Promise<Float32Array[]> => {
      const data = new Float32Array(batch.length * plane);
      batch.forEach((p, i) => data.set(p, i * plane));
      const r = await vision.run({ [px.name]: floatTensor(data, [batch.length, 3, spec.height, spec.width]) }, imageOut.name);
      const rows = normalizeRows(r.data, batch.length);
      assertFinite(rows, vision.file);
      return rows;
    };

    // Probe once, before anyone indexes or re-embeds with this model: outputs must be finite and
    // depend on the input (self-check.ts), and the real embedding sizes (declared shapes are often
    // symbolic) must agree. One input a run: some exports fix the batch axis at 1.
    const probe = async (): Promise<[number, number]> => {
      try {
        // The two towers are probed at once (with the image tower in a worker, it runs in its
        // worker meanwhile); a text-side failure is still the one reported when both fail.
        const [p1, p2] = probePixels(spec.height, spec.width);
        const [tp, ip] = await Promise.allSettled([
          (async () => [(await runTexts([PROBE_TEXTS[0]]))[0], (await runTexts([PROBE_TEXTS[1]]))[0]])(),
          (async () => [(await runPixels([p1]))[0], (await runPixels([p2]))[0]])(),
        ]);
        if (tp.status === 'rejected') throw tp.reason;
        const [t1, t2] = tp.value;
        checkProbeOutputs(t1, t2, text.file, `two different probe texts ("${PROBE_TEXTS[0]}", "${PROBE_TEXTS[1]}")`);
        if (ip.status === 'rejected') throw ip.reason;
        const [i1, i2] = ip.value;
        checkProbeOutputs(i1, i2, vision.file, 'two different probe images (flat grey, checkerboard)');
        return [t1.length, i1.length];
      } catch (err) {
        if (err instanceof AppError && err.code === 'MODEL_INVALID') {
          throw new AppError(
            'MODEL_INVALID',
            `model ${manifest.dir} refused at load (nothing was indexed or re-embedded with it): ${err.message}; restore the model's files or set CLIPDEX_MODEL_DIR to a sound model`,
            { cause: err },
          );
        }
        throw err;
      }
    };
    const [tDim, iDim] = known ? [known.dim, known.dim] : await probe();
    if (tDim !== iDim) {
      throw new AppError('MODEL_INVALID', `${manifest.dir}: text embeddings have ${tDim} dimensions but image embeddings ${iDim}`);
    }

    const id = await modelId;
    // Remembered only if no file changed while it was checked (the key is read again).
    if (!known && checkKey && currentCheckKey() === checkKey) writeModelCheck(checkFile, checkKey, { id, dim: tDim, vision: { inputs: vision.inputs, outputs: vision.outputs } });

    const info: ClipModelInfo = {
      name: nameOf(manifest),
      layout: manifest.layout,
      dir: manifest.dir,
      id,
      dim: tDim,
      contextLength,
      imageSize: spec.height,
      logitScale: logitScaleOf(manifest),
      ...(manifest.overrides.promptTemplate || manifest.overrides.promptTemplateZh
        ? { promptTemplates: { en: manifest.overrides.promptTemplate, zh: manifest.overrides.promptTemplateZh } }
        : {}),
    };

    let closed = false;
    const ensureOpen = () => {
      if (closed) throw new AppError('INTERNAL', `model ${info.name} is closed`);
    };
    const encodePixels = async (pixels: Float32Array[]): Promise<Float32Array[]> => {
      ensureOpen();
      pixels.forEach((p, i) => {
        if (!(p instanceof Float32Array) || p.length !== plane) {
          throw new AppError('INVALID_INPUT', `pixels[${i}] has ${p?.length} values, expected 3×${spec.height}×${spec.width} = ${plane}`);
        }
      });
      const out: Float32Array[] = [];
      for (const b of chunks(pixels, Math.min(batchSize, imageBatch ?? Infinity))) out.push(...(await runPixels(b)));
      return out;
    };
    return {
      info,
      tokenize: (texts) => tokenizer.encode(texts),
      async encodeTexts(texts) {
        ensureOpen();
        const out: Float32Array[] = [];
        for (const b of chunks(texts, Math.min(batchSize, textBatch ?? Infinity))) out.push(...(await runTexts(b)));
        return out;
      },
      preprocessImage: (bytes) => processor.preprocess(bytes),
      preprocessImageWithFacts: (bytes) => processor.preprocessWithFacts(bytes),
      encodePixels,
      async encodeImages(images) {
        ensureOpen();
        // Two at a time: bounded memory (one decoded image each) on a 2-core machine.
        const pixels = await mapPool(images, 2, (b) => processor.preprocess(b));
        return encodePixels(pixels);
      },
      async close() {
        if (closed) return;
        closed = true;
        await Promise.all([text.release(), vision.release()]);
      },
    };
  } catch (err) {
    await Promise.allSettled([text.release(), vision.release()]);
    throw err;
  }
}

/** Drop the padding columns that every row of the batch has (keeps at least one column). */
function trimToLongest(t: TokenizedBatch): TokenizedBatch {
  const width = Math.max(1, ...t.attentionMask.map((m) => m.reduce((a, b) => a + b, 0)));
  return { inputIds: t.inputIds.map((r) => r.slice(0, width)), attentionMask: t.attentionMask.map((r) => r.slice(0, width)) };
}
