/**
 * Applying an adapter to a loaded model: a ClipModel whose encoders return projected vectors, so
 * evaluate, predict and classify run unchanged on top of it. `info` stays the model's own: stored
 * vectors are always the frozen model's, and an adapter only changes how they are compared.
 */
import type { ClipModel } from '../clip';
import { project } from './adapter';
import { assertAdapterFits, loadAdapter, type Adapter, type AdapterManifest } from './store';

export interface AdaptedModel extends ClipModel {
  adapter: AdapterManifest;
  /** A stored image vector of the frozen model, as the adapter sees it (image→image by id). */
  projectImageVector(v: Float32Array): Float32Array;
  projectTextVector(v: Float32Array): Float32Array;
}

export function isAdaptedModel(m: ClipModel): m is AdaptedModel {
  return 'adapter' in m && typeof (m as AdaptedModel).projectImageVector === 'function';
}

export function adaptModel(model: ClipModel, adapter: Adapter): AdaptedModel {
  assertAdapterFits(adapter.manifest, model.info);
  const w = adapter.weights;
  const img = (v: Float32Array) => project(w.image, w.dim, v);
  const txt = (v: Float32Array) => project(w.text, w.dim, v);
  return {
    info: model.info,
    adapter: adapter.manifest,
    tokenize: (t) => model.tokenize(t),
    encodeTexts: async (t) => (await model.encodeTexts(t)).map(txt),
    preprocessImage: (b) => model.preprocessImage(b),
    preprocessImageWithFacts: (b) => model.preprocessImageWithFacts(b),
    encodePixels: async (p) => (await model.encodePixels(p)).map(img),
    encodeImages: async (b) => (await model.encodeImages(b)).map(img),
    close: () => model.close(),
    projectImageVector: img,
    projectTextVector: txt,
  };
}

/** Load `name` from the data folder and wrap `model` with it; another model's adapter is refused. */
export async function loadAdaptedModel(model: ClipModel, dataDir: string, name: string): Promise<AdaptedModel> {
  return adaptModel(model, await loadAdapter(dataDir, name));
}

/** A stored vector as the query of a search through `model` (identity without an adapter). */
export function storedImageQuery(model: ClipModel, v: Float32Array): Float32Array {
  return isAdaptedModel(model) ? model.projectImageVector(v) : v;
}
