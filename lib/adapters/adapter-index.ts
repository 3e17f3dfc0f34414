/**
 * An adapter's own HNSW indexes, DATA_DIR/index/adapter-<name>/{image,text}.json + generations:
 * the stored vectors of the frozen model (the Vector rows) projected through the adapter. No image
 * is re-embedded. They are a cache like the main indexes: opening one compares its labels with the
 * main index and adds / marks deleted what differs; a different adapter file (same name, new
 * weights: `<kind>.adapter.json` records the weights' sha256) or model means a rebuild.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db';
import { iterateVectors, loadVectors } from '../db';
import { AppError } from '../errors';
import { addInSlices, HnswIndex, indexDir, type IndexParams, type Indexes, type IndexKind } from '../index';
import { projectRows } from './adapter';
import type { Adapter } from './store';

export interface AdapterIndexDeps {
  db: Db;
  dataDir: string;
  /** The frozen model's id (whose Vector rows are projected). */
  modelId: string;
  hnsw: { m: number; efConstruction: number; efSearch: number };
  /** The main indexes: what the adapter indexes must hold. */
  indexes: Indexes;
}

export interface AdapterIndexReport {
  kind: IndexKind;
  action: 'loaded' | 'built' | 'repaired';
  count: number;
  added: number;
  removed: number;
  seconds: number;
}

export const adapterIndexDir = (dataDir: string, name: string) => path.join(indexDir(dataDir), `adapter-${name}`);

function projector(adapter: Adapter, kind: IndexKind) {
  const w = adapter.weights;
  const tower = kind === 'image' ? w.image : w.text;
  return (vs: Float32Array[]): Float32Array[] => {
    const flat = new Float32Array(vs.length * w.dim);
    vs.forEach((v, i) => flat.set(v, i * w.dim));
    const out = projectRows(tower, w.dim, flat, vs.length);
    return vs.map((_, i) => out.subarray(i * w.dim, (i + 1) * w.dim));
  };
}

/** Add the main index's labels `index` lacks (projected stored vectors) and drop those it no longer has. */
async function applyDiff(deps: AdapterIndexDeps, project: (vs: Float32Array[]) => Float32Array[], main: HnswIndex, index: HnswIndex) {
  const want = new Set(main.labels());
  const have = new Set(index.labels());
  const missing = [...want].filter((l) => !have.has(l));
  const extra = [...have].filter((l) => !want.has(l));
  let added = 0;
  // Small reads and sliced inserts, as the main catch-up: a search syncs this after another
  // process's batch, and must not hold the event loop for all of it (issue 13, target 5).
  for (let i = 0; i < missing.length; i += 100) {
    const rows = await loadVectors(deps.db, index.kind, missing.slice(i, i + 100));
    const projected = project(rows.map((r) => r.vector));
    await addInSlices(index, rows.map((r, j) => ({ label: r.label, vector: projected[j] })));
    added += rows.length;
  }
  index.remove(extra);
  return { added, removed: extra.length };
}

/**
 * Keep open adapter indexes in step after the main ones changed (another process's ingest caught
 * up, a delete): only the difference is projected and added, in memory, like the main indexes'
 * catch-up; the files are a cache that the next open repairs. Reloading them instead read and
 * checksummed both whole files and wrote them back on every change (issue 13, target 5).
 */
export async function syncAdapterIndexes(deps: AdapterIndexDeps, adapter: Adapter, indexes: Indexes): Promise<AdapterIndexReport[]> {
  const reports: AdapterIndexReport[] = [];
  for (const kind of ['image', 'text'] as const) {
    const t0 = performance.now();
    const index = indexes[kind];
    const { added, removed } = await applyDiff(deps, projector(adapter, kind), deps.indexes[kind], index);
    reports.push({ kind, action: added || removed ? 'repaired' : 'loaded', count: index.size(), added, removed, seconds: (performance.now() - t0) / 1000 });
  }
  return reports;
}

export async function openAdapterIndex(
  deps: AdapterIndexDeps,
  adapter: Adapter,
  kind: IndexKind,
  onProgress?: (done: number, total: number) => void,
): Promise<{ index: HnswIndex; report: AdapterIndexReport }> {
  const t0 = performance.now();
  const m = adapter.manifest;
  if (m.modelId !== deps.modelId) throw new AppError('MODEL_INVALID', `adapter "${m.name}" belongs to model ${m.modelId}, the active model is ${deps.modelId}`);
  const params: IndexParams = {
    dir: adapterIndexDir(deps.dataDir, m.name),
    kind,
    // the model's own id: search looks up dataset labels by it (the adapter's weights are checked
    // through the stamp file below)
    modelId: deps.modelId,
    dim: m.dim,
    ...deps.hnsw,
  };
  const project = projector(adapter, kind);
  const main = deps.indexes[kind];
  const want = new Set(main.labels());
  let index: HnswIndex;
  let action: AdapterIndexReport['action'] = 'loaded';
  let added = 0;
  let removed = 0;
  const stamp = path.join(params.dir, `${kind}.adapter.json`);
  try {
    // a retrained adapter of the same name (new weights) must never reuse the old projections
    const st = JSON.parse(await fs.readFile(stamp, 'utf8')) as { weightsSha256?: string };
    if (st.weightsSha256 !== m.weightsSha256) throw new Error('other weights');
    index = await HnswIndex.load(params);
  } catch {
    await fs.rm(stamp, { force: true });
    // absent, or built for other weights: build from every stored vector of the model
    index = HnswIndex.create(params, Math.ceil(want.size * 1.1) + 16);
    action = 'built';
    for await (const page of iterateVectors(deps.db, kind, deps.modelId)) {
      const live = page.filter((v) => want.has(v.label));
      index.add(live.map((v) => v.label), project(live.map((v) => v.vector)));
      added += live.length;
      onProgress?.(added, want.size);
    }
  }
  if (action === 'loaded') {
    ({ added, removed } = await applyDiff(deps, project, main, index));
    if (added || removed) action = 'repaired';
  }
  if (action !== 'loaded') {
    await index.save();
    await fs.writeFile(stamp, `${JSON.stringify({ weightsSha256: m.weightsSha256 })}\n`);
  }
  return { index, report: { kind, action, count: index.size(), added, removed, seconds: (performance.now() - t0) / 1000 } };
}

export async function openAdapterIndexes(
  deps: AdapterIndexDeps,
  adapter: Adapter,
  onProgress?: (kind: IndexKind, done: number, total: number) => void,
): Promise<{ indexes: Indexes; reports: AdapterIndexReport[] }> {
  const image = await openAdapterIndex(deps, adapter, 'image', (d, t) => onProgress?.('image', d, t));
  const text = await openAdapterIndex(deps, adapter, 'text', (d, t) => onProgress?.('text', d, t));
  return { indexes: { image: image.index, text: text.index }, reports: [image.report, text.report] };
}
