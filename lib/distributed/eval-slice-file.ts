/**
 * One evaluate slice's vectors on the shared blob dir (eval-slices.ts): a 4-byte length, a JSON
 * header (model, dimension, each image's sha256 with its reason when it cannot be read, the number
 * of texts), then the float32 vectors of the readable images and of the texts, in that order.
 * Written under a temporary name and renamed, so a slice retried after its worker died replaces
 * the file whole and the starting process never reads half of one. Float32 in the machine's byte
 * order: every platform Node's prebuilt onnxruntime runs on is little-endian.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';
import type { ImageVectorOrReason } from '../eval/eval-vectors';

interface Header {
  modelId: string;
  dim: number;
  /** [sha256, reason or null]: null images have a vector. */
  images: [string, string | null][];
  texts: number;
}

export interface EvalSliceVectors {
  images: Map<string, ImageVectorOrReason>;
  /** In the order of the slice's text batches. */
  texts: Float32Array[];
}

export async function writeEvalSliceFile(
  file: string,
  s: EvalSliceVectors & { modelId: string; dim: number },
): Promise<void> {
  const header: Header = { modelId: s.modelId, dim: s.dim, images: [], texts: s.texts.length };
  const vectors: Float32Array[] = [];
  for (const [sha, v] of s.images) {
    header.images.push([sha, typeof v === 'string' ? v : null]);
    if (typeof v !== 'string') vectors.push(v);
  }
  vectors.push(...s.texts);
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const body = vectors.map((v) => {
    if (v.length !== s.dim) throw new AppError('INTERNAL', `a vector of ${v.length} dimensions in an evaluate slice of a ${s.dim}-dimension model`);
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  });
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, Buffer.concat([len, json, ...body]));
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

export async function readEvalSliceFile(file: string, modelId: string): Promise<EvalSliceVectors> {
  const buf = await fs.readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new AppError('INTERNAL', `a worker reported ${file} written but it cannot be read here (${err.code ?? err.message}): is CLIPDEX_BLOB_DIR the same shared directory on every node?`);
  });
  const n = buf.readUInt32LE(0);
  const h = JSON.parse(buf.subarray(4, 4 + n).toString('utf8')) as Header;
  if (h.modelId !== modelId) {
    throw new AppError('CONFIG_INVALID', `${file} holds vectors of model ${h.modelId} but the evaluate runs ${modelId}: give every node the same CLIPDEX_MODEL_DIR`);
  }
  const withVector = h.images.filter(([, reason]) => reason === null).length;
  const expected = 4 + n + (withVector + h.texts) * h.dim * 4;
  if (buf.length !== expected) throw new AppError('INTERNAL', `${file} is ${buf.length} bytes, expected ${expected}: a damaged evaluate slice file`);
  let at = 4 + n;
  const next = () => {
    // A copy: the file's buffer is not 4-byte aligned after the header.
    const v = new Float32Array(h.dim);
    Buffer.from(v.buffer).set(buf.subarray(at, at + h.dim * 4));
    at += h.dim * 4;
    return v;
  };
  const out: EvalSliceVectors = { images: new Map(), texts: [] };
  for (const [sha, reason] of h.images) out.images.set(sha, reason === null ? next() : reason);
  for (let i = 0; i < h.texts; i++) out.texts.push(next());
  return out;
}
