/**
 * Adapters on disk: DATA_DIR/adapters/<name>/{adapter.json, weights.bin}. A save writes a hidden
 * temp folder and renames it into place, so a kill at any moment leaves either the old adapter, the
 * new one, or nothing — never half of one (a leftover `.tmp-*` folder is ignored and swept).
 * Names are checked against one pattern before they become a path. Saving never activates.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors';
import type { AdapterWeights, TowerWeights } from './adapter';

export const ADAPTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MANIFEST = 'adapter.json';
const WEIGHTS = 'weights.bin';

const RecallSchema = z.object({ r1: z.number(), r5: z.number(), r10: z.number(), mean: z.number() });
export type Recall = z.infer<typeof RecallSchema>;

const ManifestSchema = z.object({
  format: z.literal('clipdex-adapter'),
  version: z.literal(1),
  name: z.string(),
  method: z.enum(['residual-linear', 'residual-mlp']),
  /** Width of the MLP residual (0 for residual-linear). */
  hidden: z.number().int().min(0).default(0),
  modelId: z.string(),
  modelName: z.string(),
  dim: z.number().int().positive(),
  createdAt: z.string(),
  weightsSha256: z.string(),
  /** What it was trained on and how; free-form beyond these keys (shown by `adapters list`). */
  training: z.object({
    trainFile: z.string(),
    validFile: z.string(),
    trainPairs: z.number(),
    validPairs: z.number(),
    epochs: z.number(),
    bestEpoch: z.number(),
    bestStep: z.number(),
    lr: z.number(),
    batchSize: z.number(),
    weightDecay: z.number(),
    seconds: z.number(),
    baseline: RecallSchema,
    best: RecallSchema,
  }).passthrough(),
});
export type AdapterManifest = z.infer<typeof ManifestSchema>;

export interface Adapter {
  manifest: AdapterManifest;
  weights: AdapterWeights;
}

export const adaptersDir = (dataDir: string) => path.join(dataDir, 'adapters');

export function checkAdapterName(name: string): string {
  if (!ADAPTER_NAME.test(name)) {
    throw new AppError(
      'INVALID_INPUT',
      `adapter name "${name}" is not allowed: use 1 to 64 letters, digits, "-" or "_", starting with a letter or digit (no "/", "." or spaces)`,
    );
  }
  return name;
}

const adapterPath = (dataDir: string, name: string) => path.join(adaptersDir(dataDir), checkAdapterName(name));

/** weights.bin: float32 little-endian, text tower then image tower, each: W, b, W1, b1 (see adapter.ts). */
function towerSizes(dim: number, hidden: number): number[] {
  return [dim * (hidden || dim), dim, hidden * dim, hidden];
}

function weightsBytes(w: AdapterWeights): Buffer {
  const parts = [w.text, w.image].flatMap((t) => [t.w, t.b, t.w1, t.b1]);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return Buffer.from(all.buffer, all.byteOffset, all.byteLength);
}

export async function adapterExists(dataDir: string, name: string): Promise<boolean> {
  return fs.access(path.join(adapterPath(dataDir, name), MANIFEST)).then(() => true, () => false);
}

/** Write an adapter atomically; an existing one of that name is replaced only with `replace`. */
export async function saveAdapter(dataDir: string, adapter: Adapter, opts: { replace?: boolean } = {}): Promise<string> {
  const name = adapter.manifest.name;
  const dest = adapterPath(dataDir, name);
  const root = adaptersDir(dataDir);
  await fs.mkdir(root, { recursive: true });
  await sweepAdapterTemp(dataDir);
  if (!opts.replace && (await adapterExists(dataDir, name))) {
    throw new AppError('CONFLICT', `an adapter called "${name}" already exists: delete it (clipdex adapters delete ${name}) or pass --replace`);
  }
  const bytes = weightsBytes(adapter.weights);
  const manifest = { ...adapter.manifest, weightsSha256: createHash('sha256').update(bytes).digest('hex') };
  const tmp = path.join(root, `.tmp-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  try {
    await fs.writeFile(path.join(tmp, WEIGHTS), bytes, { flush: true });
    await fs.writeFile(path.join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { flush: true });
    const old = path.join(root, `.old-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
    const hadOld = await fs.rename(dest, old).then(() => true, () => false);
    await fs.rename(tmp, dest);
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return dest;
}

export async function readAdapterManifest(dataDir: string, name: string): Promise<AdapterManifest> {
  const file = path.join(adapterPath(dataDir, name), MANIFEST);
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch {
    const known = (await listAdapters(dataDir)).map((a) => a.name);
    throw new AppError('NOT_FOUND', `no adapter called "${name}" (known: ${known.length ? known.join(', ') : 'none'}; train one with clipdex train)`);
  }
  const parsed = ManifestSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new AppError('MODEL_INVALID', `${file} is not a clipdex adapter manifest: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function loadAdapter(dataDir: string, name: string): Promise<Adapter> {
  const manifest = await readAdapterManifest(dataDir, name);
  const file = path.join(adapterPath(dataDir, name), WEIGHTS);
  const bytes = await fs.readFile(file);
  const d = manifest.dim;
  const sizes = towerSizes(d, manifest.hidden);
  const perTower = sizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== 2 * perTower * 4 || createHash('sha256').update(bytes).digest('hex') !== manifest.weightsSha256) {
    throw new AppError('MODEL_INVALID', `${file} does not match its manifest (size or sha256): delete the adapter and train it again`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  let o = 0;
  const take = (n: number) => all.subarray(o, (o += n));
  const tower = (): TowerWeights => ({ hidden: manifest.hidden, w: take(sizes[0]), b: take(sizes[1]), w1: take(sizes[2]), b1: take(sizes[3]) });
  const text = tower();
  return { manifest, weights: { dim: d, text, image: tower() } };
}

/** Every complete adapter (temp folders of interrupted saves are skipped), by name. */
export async function listAdapters(dataDir: string): Promise<AdapterManifest[]> {
  const entries = await fs.readdir(adaptersDir(dataDir), { withFileTypes: true }).catch(() => []);
  const out: AdapterManifest[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !ADAPTER_NAME.test(e.name)) continue;
    try {
      out.push(await readAdapterManifest(dataDir, e.name));
    } catch {
      // a foreign or damaged folder: not an adapter
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export async function removeAdapterFiles(dataDir: string, name: string): Promise<void> {
  await readAdapterManifest(dataDir, name); // NOT_FOUND with the known names
  const dest = adapterPath(dataDir, name);
  const trash = path.join(adaptersDir(dataDir), `.old-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.rename(dest, trash);
  await fs.rm(trash, { recursive: true, force: true });
}

/** Leftovers of saves killed half-way by a process now dead (never read as adapters, only taking space). */
export async function sweepAdapterTemp(dataDir: string): Promise<number> {
  const entries = await fs.readdir(adaptersDir(dataDir)).catch(() => [] as string[]);
  const stale = entries.filter((e) => /^\.(tmp|old)-/.test(e) && !isAlive(Number(e.split('-').at(-2))));
  await Promise.all(stale.map((e) => fs.rm(path.join(adaptersDir(dataDir), e), { recursive: true, force: true })));
  return stale.length;
}

/** An adapter trained for another model is refused (exit 3): its vectors live in another space. */
export function assertAdapterFits(m: AdapterManifest, model: { id: string; name: string; dim: number }): void {
  if (m.modelId !== model.id || m.dim !== model.dim) {
    throw new AppError(
      'MODEL_INVALID',
      `adapter "${m.name}" was trained for model ${m.modelName} (${m.modelId}, ${m.dim}-d), but the loaded model is ${model.name} (${model.id}, ${model.dim}-d): train a new adapter for this model, set CLIPDEX_MODEL_DIR back, or stop using it (clipdex adapters deactivate; unset CLIPDEX_ADAPTER)`,
    );
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
