/**
 * The onnxruntime-node adapter. Sessions are created with a deliberate thread budget; the real
 * input/output names and shapes are read from the session, so text models that take only
 * `input_ids` (Xenova exports), `text` (Chinese-CLIP) or also `attention_mask`/`token_type_ids`
 * are all fed exactly what they declare.
 */
import ort from 'onnxruntime-node';
import { AppError } from '../errors';

export type Dim = number | string;
export interface IoInfo {
  name: string;
  type?: string;
  shape?: Dim[];
}

export interface EncoderSession {
  file: string;
  inputs: IoInfo[];
  outputs: IoInfo[];
  run(feeds: Record<string, ort.Tensor>, output: string): Promise<{ data: Float32Array; dims: readonly number[] }>;
  release(): Promise<void>;
}

function describe(meta: readonly ort.InferenceSession.ValueMetadata[] | undefined, names: readonly string[]): IoInfo[] {
  return names.map((name) => {
    const m = meta?.find((x) => x.name === name);
    return m && m.isTensor ? { name, type: m.type, shape: [...m.shape] } : { name };
  });
}

/** Inputs and outputs as a session declares them (also for onnx-worker.ts, which gets them by message). */
export function describeIo(
  inputMeta: readonly ort.InferenceSession.ValueMetadata[] | undefined,
  inputNames: readonly string[],
  outputMeta: readonly ort.InferenceSession.ValueMetadata[] | undefined,
  outputNames: readonly string[],
): { inputs: IoInfo[]; outputs: IoInfo[] } {
  return { inputs: describe(inputMeta, inputNames), outputs: describe(outputMeta, outputNames) };
}

/** The onnxruntime build in use (a model check remembered under one does not count for another). */
export const ortVersion = (): string => `onnxruntime-node ${ort.env.versions?.node ?? '?'} common ${ort.env.versions?.common ?? '?'}`;

/** How every clipdex ONNX session runs (in this thread or in onnx-worker.ts). */
export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // issue 13: idle intra-op threads sleep instead of spinning. On two cores a spinning pool
    // takes the CPU that sharp's decoders need: 19–25 % fewer CPU-seconds per ingest, for
    // ~0.1 ms more per text query (bench/RESULTS.md "pass 3, session 6").
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

export async function openSession(file: string, threads: number): Promise<EncoderSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, sessionOptions(threads));
  } catch (err) {
    throw new AppError('MODEL_INVALID', `cannot load ONNX model ${file}: ${(err as Error).message}`, { cause: err });
  }
  return {
    file,
    ...describeIo(session.inputMetadata, session.inputNames, session.outputMetadata, session.outputNames),
    async run(feeds, output) {
      let result: ort.InferenceSession.OnnxValueMapType;
      try {
        result = await session.run(feeds, [output]);
      } catch (err) {
        throw new AppError('MODEL_INVALID', `ONNX model ${file} failed to run: ${(err as Error).message}`, { cause: err });
      }
      const t = result[output];
      if (t.type !== 'float32') throw new AppError('MODEL_INVALID', `${file}: output ${output} is ${t.type}, expected float32`);
      return { data: t.data as Float32Array, dims: t.dims };
    },
    release: () => session.release(),
  };
}

/** The embedding output: a preferred name, else the first output declared 2-D. */
export function pickOutput(s: EncoderSession, preferred: string[]): IoInfo {
  for (const name of preferred) {
    const o = s.outputs.find((x) => x.name === name);
    if (o) return o;
  }
  const twoD = s.outputs.find((o) => o.shape?.length === 2);
  if (twoD) return twoD;
  throw new AppError(
    'MODEL_INVALID',
    `${s.file}: no embedding output: expected one of ${preferred.join(', ')} or a 2-D output, found ${s.outputs.map((o) => `${o.name}[${o.shape?.join(',') ?? '?'}]`).join(', ')}`,
  );
}

export const staticDim = (d: Dim | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

/** Integer tensor in the dtype the input declares (int64 unless it says int32). */
export function intTensor(info: IoInfo, rows: number[][]): ort.Tensor {
  const n = rows.length;
  const len = rows[0]?.length ?? 0;
  if (info.type === 'int32') {
    const a = new Int32Array(n * len);
    rows.forEach((r, i) => a.set(r, i * len));
    return new ort.Tensor('int32', a, [n, len]);
  }
  const a = new BigInt64Array(n * len);
  rows.forEach((r, i) => r.forEach((v, j) => (a[i * len + j] = BigInt(v))));
  return new ort.Tensor('int64', a, [n, len]);
}

export function floatTensor(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Splits a [n, dim] output into n L2-normalised vectors (copies: the output buffer is ORT's). */
export function normalizeRows(data: Float32Array, n: number): Float32Array[] {
  const dim = data.length / n;
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = data.slice(i * dim, (i + 1) * dim);
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += v[j] * v[j];
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let j = 0; j < dim; j++) v[j] *= inv;
    out.push(v);
  }
  return out;
}
