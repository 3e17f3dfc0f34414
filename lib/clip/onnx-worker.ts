/**
 * An ONNX session in a worker thread. onnxruntime-node runs inference synchronously on the calling
 * thread (its `run` is a setImmediate around a blocking call), so in-thread inference stops the
 * event loop: during an ingest, nothing else — decoding the next batch, writing the store, the
 * database — moves while a batch is in the model. In a worker, inference overlaps that work on the
 * other core (issue 13, bench/ingest-peer.ts). Same EncoderSession contract as openSession; same
 * error messages. The worker source is inline JavaScript (no TypeScript loader, no file path to
 * get right in tsx, vitest, the prebuilt CLI or the Next.js server); it loads onnxruntime-node by
 * the absolute path resolved here.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import { AppError } from '../errors';
import { describeIo, sessionOptions, type EncoderSession } from './onnx-session';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session;
const meta = (m) => (m ? m.map((x) => ({ name: x.name, isTensor: x.isTensor, type: x.type, shape: x.shape ? [...x.shape] : undefined })) : undefined);
parentPort.on('message', async (m) => {
  try {
    if (m.op === 'open') {
      session = await ort.InferenceSession.create(m.file, m.options);
      parentPort.postMessage({ id: m.id, ok: true, inputNames: session.inputNames, outputNames: session.outputNames, inputMetadata: meta(session.inputMetadata), outputMetadata: meta(session.outputMetadata) });
    } else if (m.op === 'run') {
      const feeds = {};
      for (const [k, t] of Object.entries(m.feeds)) feeds[k] = new ort.Tensor(t.type, t.data, t.dims);
      const out = (await session.run(feeds, [m.output]))[m.output];
      parentPort.postMessage({ id: m.id, ok: true, type: out.type, data: out.data, dims: out.dims });
    } else if (m.op === 'release') {
      await session?.release();
      session = undefined;
      parentPort.postMessage({ id: m.id, ok: true });
    }
  } catch (err) {
    parentPort.postMessage({ id: m.id, ok: false, message: err && err.message ? err.message : String(err) });
  }
});
`;

interface Reply {
  id: number;
  ok: boolean;
  message?: string;
  [k: string]: unknown;
}

let ortPath: string | undefined;
function resolveOrt(): string {
  ortPath ??= createRequire(import.meta.url).resolve('onnxruntime-node');
  return ortPath;
}

/** Thrown when the worker itself cannot start (not a model problem): the caller runs in-thread. */
export class WorkerUnavailable extends Error {}

/**
 * The session for `file` in a worker of its own. Rejects with AppError MODEL_INVALID for a model
 * ONNX Runtime refuses, and with WorkerUnavailable when no worker could be started.
 */
export async function openSessionInWorker(file: string, threads: number): Promise<EncoderSession> {
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath: resolveOrt() } });
  } catch (err) {
    throw new WorkerUnavailable((err as Error).message);
  }
  let nextId = 0;
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let dead: Error | undefined;
  const fail = (err: Error) => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (pending.size === 0) worker.unref();
    p.resolve(r);
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`the ONNX worker thread exited (code ${code})`)));
  worker.unref(); // an idle session never keeps the process alive; a pending call does (ref below)
  const call = (msg: Record<string, unknown>): Promise<Reply> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    worker.ref();
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id });
    });
  };

  let opened: Reply;
  try {
    opened = await call({ op: 'open', file, options: sessionOptions(threads) });
  } catch (err) {
    await worker.terminate().catch(() => undefined);
    throw new WorkerUnavailable((err as Error).message); // the worker died before answering
  }
  if (!opened.ok) {
    await worker.terminate().catch(() => undefined);
    throw new AppError('MODEL_INVALID', `cannot load ONNX model ${file}: ${opened.message}`);
  }
  const io = describeIo(
    opened.inputMetadata as ort.InferenceSession.ValueMetadata[],
    opened.inputNames as string[],
    opened.outputMetadata as ort.InferenceSession.ValueMetadata[],
    opened.outputNames as string[],
  );
  return {
    file,
    ...io,
    async run(feeds, output) {
      const plain: Record<string, { type: string; data: unknown; dims: readonly number[] }> = {};
      for (const [k, t] of Object.entries(feeds)) plain[k] = { type: t.type, data: t.data, dims: t.dims };
      let r: Reply;
      try {
        r = await call({ op: 'run', feeds: plain, output });
      } catch (err) {
        throw new AppError('MODEL_INVALID', `ONNX model ${file} failed to run: ${(err as Error).message}`, { cause: err });
      }
      if (!r.ok) throw new AppError('MODEL_INVALID', `ONNX model ${file} failed to run: ${r.message}`);
      if (r.type !== 'float32') throw new AppError('MODEL_INVALID', `${file}: output ${output} is ${String(r.type)}, expected float32`);
      return { data: r.data as Float32Array, dims: r.dims as number[] };
    },
    async release() {
      if (!dead) await call({ op: 'release' }).catch(() => undefined);
      await worker.terminate().catch(() => undefined);
    },
  };
}
