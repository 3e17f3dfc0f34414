/**
 * The engines under test, behind one small interface so the worker can time them the same way.
 * - `hnswlib`: hnswlib-node as npm builds it (what clipdex ships; lib/index uses the 'ip' space).
 * - `hnswlib-native`: the same hnswlib-node source compiled with -march=native (AVX2/AVX-512) into
 *   bench/.cache/hnswlib-native by bench/search/build-hnswlib-native.sh; same file format.
 * - `usearch`: USearch (HNSW as well, SIMD kernels chosen at run time), the npm ANN baseline.
 * - `brute`: exact search in plain JavaScript over a Float32Array (what you get with no index).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { CACHE } from '../shared/machine';

const require = createRequire(import.meta.url);

export type EngineName = 'hnswlib' | 'hnswlib-native' | 'usearch' | 'brute';
export const NATIVE_HNSWLIB_DIR = path.join(CACHE, 'hnswlib-native');

export interface BuildParams {
  m: number;
  efConstruction: number;
  threads: number;
}

export interface Searcher {
  /** Prepare for searches at this ef (no-op for brute force). */
  setEf(ef: number): void;
  /** Labels of the k nearest, best first. */
  search(q: Float32Array, k: number): ArrayLike<number>;
  /** Search with a label filter callback (hnswlib only). */
  searchFiltered?(q: Float32Array, k: number, filter: (label: number) => boolean): ArrayLike<number>;
}

type HnswModule = typeof import('hnswlib-node');

export function loadHnswlib(engine: 'hnswlib' | 'hnswlib-native'): HnswModule {
  if (engine === 'hnswlib') return require('hnswlib-node') as HnswModule;
  if (!fs.existsSync(path.join(NATIVE_HNSWLIB_DIR, 'build', 'Release', 'addon.node')))
    throw new Error(`hnswlib-native is not built: run \`sh bench/search/build-hnswlib-native.sh\``);
  return require(NATIVE_HNSWLIB_DIR) as HnswModule;
}

export function hasNativeHnswlib(): boolean {
  return fs.existsSync(path.join(NATIVE_HNSWLIB_DIR, 'build', 'Release', 'addon.node'));
}

type UsearchModule = typeof import('usearch').default;
export function loadUsearch(): UsearchModule {
  const mod = require('usearch') as UsearchModule & { default?: UsearchModule };
  return mod.default ?? mod;
}

export function indexFile(dir: string, engine: EngineName, tag: string, p: BuildParams): string {
  // Both hnswlib builds read and write the same format: share one file (built by the faster one).
  const family = engine === 'usearch' ? 'usearch' : 'hnswlib';
  return path.join(dir, `${family}-${tag}-M${p.m}-efc${p.efConstruction}.${family === 'usearch' ? 'usearch' : 'hnsw'}`);
}

/** Build and save an index; returns seconds spent adding (not saving). */
export function buildIndex(engine: EngineName, vectors: Float32Array, dim: number, p: BuildParams, file: string, progress: (done: number, n: number) => void): number {
  const n = vectors.length / dim;
  const t0 = performance.now();
  if (engine === 'usearch') {
    const us = loadUsearch();
    const idx = new us.Index({ dimensions: dim, metric: us.MetricKind.IP, quantization: us.ScalarKind.F32, connectivity: p.m, expansion_add: p.efConstruction, expansion_search: 64, multi: false });
    const step = 50_000;
    for (let i = 0; i < n; i += step) {
      const m = Math.min(step, n - i);
      const keys = new BigUint64Array(m);
      for (let j = 0; j < m; j++) keys[j] = BigInt(i + j);
      idx.add(keys, vectors.subarray(i * dim, (i + m) * dim), p.threads);
      progress(i + m, n);
    }
    const secs = (performance.now() - t0) / 1000;
    idx.save(file);
    return secs;
  }
  if (engine === 'brute') return 0;
  const { HierarchicalNSW } = loadHnswlib(engine);
  const h = new HierarchicalNSW('ip', dim);
  h.initIndex({ maxElements: n, m: p.m, efConstruction: p.efConstruction, randomSeed: 100 });
  const every = Math.max(1, Math.floor(n / 20));
  for (let i = 0; i < n; i++) {
    // hnswlib-node takes plain arrays only; lib/index pays the same Array.from per vector.
    h.addPoint(Array.from(vectors.subarray(i * dim, (i + 1) * dim)), i);
    if ((i + 1) % every === 0) progress(i + 1, n);
  }
  const secs = (performance.now() - t0) / 1000;
  h.writeIndexSync(file);
  return secs;
}

/** Exact inner-product top-k in JavaScript: a 4-way unrolled dot product and an insertion list. */
export function bruteSearcher(vectors: Float32Array, dim: number): Searcher {
  const n = vectors.length / dim;
  return {
    setEf() {},
    search(q, k) {
      const best = new Float64Array(k).fill(-Infinity);
      const lab = new Int32Array(k).fill(-1);
      for (let i = 0; i < n; i++) {
        const o = i * dim;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let j = 0; j < dim; j += 4) {
          s0 += vectors[o + j] * q[j];
          s1 += vectors[o + j + 1] * q[j + 1];
          s2 += vectors[o + j + 2] * q[j + 2];
          s3 += vectors[o + j + 3] * q[j + 3];
        }
        const s = s0 + s1 + s2 + s3;
        if (s <= best[k - 1]) continue;
        let p = k - 1;
        while (p > 0 && best[p - 1] < s) {
          best[p] = best[p - 1];
          lab[p] = lab[p - 1];
          p--;
        }
        best[p] = s;
        lab[p] = i;
      }
      return lab;
    },
  };
}

/** Load a saved index; the caller measures RSS around this call. */
export function openSearcher(engine: EngineName, file: string, dim: number, vectors?: Float32Array): Searcher & { reopenAt?: (ef: number) => void } {
  if (engine === 'brute') {
    if (!vectors) throw new Error('brute force needs the vectors');
    return bruteSearcher(vectors, dim);
  }
  if (engine === 'usearch') {
    const us = loadUsearch();
    const make = (ef: number) => new us.Index({ dimensions: dim, metric: us.MetricKind.IP, quantization: us.ScalarKind.F32, connectivity: 0, expansion_add: 0, expansion_search: ef, multi: false });
    // The npm binding fixes expansion_search at construction: reopen (memory-mapped) per ef.
    let idx = make(64);
    idx.load(file);
    return {
      setEf(ef) {
        idx = make(ef);
        idx.view(file);
      },
      search(q, k) {
        return idx.search(q, k, 1).keys as unknown as ArrayLike<number>;
      },
    };
  }
  const { HierarchicalNSW } = loadHnswlib(engine);
  const h = new HierarchicalNSW('ip', dim);
  h.readIndexSync(file);
  return {
    setEf(ef) {
      h.setEf(ef);
    },
    search(q, k) {
      return h.searchKnn(Array.from(q), k).neighbors;
    },
    searchFiltered(q, k, filter) {
      return h.searchKnn(Array.from(q), k, filter).neighbors;
    },
  };
}
