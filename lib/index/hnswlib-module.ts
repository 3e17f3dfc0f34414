/**
 * Which hnswlib-node addon to use. npm builds hnswlib-node for generic x86-64, so hnswlib's
 * distance kernels use SSE; `npm install` also compiles copies with -march=x86-64-v3 (AVX2/FMA
 * kernels: 1.2-1.4× faster searches and inserts, bench/RESULTS.md "pass 3", target 7) and, where
 * the CPU has AVX-512, -march=x86-64-v4 (hnswlib's AVX-512 kernels: another ~15 % off a 1M × 512
 * search, "pass 3, session 15"), each kept only if it passes a self-test
 * (scripts/build-hnswlib-simd.mjs). A copy may use its level's instructions anywhere, and an
 * illegal instruction kills the process instead of throwing, so a copy is loaded only when THIS
 * CPU has every feature of its level (the node_modules folder may have been built on another
 * machine): the best such copy, else the generic addon (a missing or stale copy, another CPU,
 * another platform, CLIPDEX_HNSWLIB_SIMD=0). CLIPDEX_HNSWLIB_SIMD=v3 stops at x86-64-v3.
 * All of them read and write the same index files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import hnswlib from 'hnswlib-node';

export type HnswlibModule = typeof hnswlib;

export type March = 'x86-64-v4' | 'x86-64-v3';
/** Where the postinstall step puts the copy for a level, relative to the project folder. */
export const simdDir = (march: March): string => path.join('node_modules', '.cache', 'clipdex', `hnswlib-${march}`);
export const SIMD_DIR = simdDir('x86-64-v3');
/** /proc/cpuinfo flags of the x86-64-v3 level (lzcnt shows as abm). Keep in step with scripts/native-addon.mjs. */
export const X86_64_V3_FLAGS = ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'];
/** … and of x86-64-v4 (AVX-512 F/BW/CD/DQ/VL on top of v3). */
export const X86_64_V4_FLAGS = [...X86_64_V3_FLAGS, 'avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'];
/** The levels, best first. */
export const MARCH_LEVELS: readonly { march: March; flags: readonly string[] }[] = [
  { march: 'x86-64-v4', flags: X86_64_V4_FLAGS },
  { march: 'x86-64-v3', flags: X86_64_V3_FLAGS },
];

export interface SimdStamp {
  hnswlibNode: string;
  nodeModules: string;
  march: string;
}

export interface HnswlibChoice {
  module: HnswlibModule;
  variant: March | 'generic';
  /** Why the generic addon was chosen (absent when the SIMD one was). */
  reason?: string;
}

function cpuFlags(): Set<string> {
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const line = /^flags\s*:(.*)$/m.exec(info);
    return new Set(line ? line[1].trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

function projectRoots(): string[] {
  const out: string[] = [];
  try {
    // lib/index/ in the sources, dist/ or .next/server/chunks/ when bundled
    const here = path.dirname(fileURLToPath(import.meta.url));
    out.push(path.resolve(here, '..', '..'), path.resolve(here, '..'), path.resolve(here, '..', '..', '..'));
  } catch {
    // not a file: URL
  }
  out.push(process.cwd());
  return out;
}

/** The features of `march` that `flags` lacks (none for a generic build). */
function lacking(march: string | undefined, flags: Set<string>): string[] {
  return (MARCH_LEVELS.find((l) => l.march === march)?.flags ?? []).filter((f) => !flags.has(f));
}

/**
 * The stamp npm install wrote beside an addon it compiled (`dir`/ok.json), and why it no longer
 * fits this install when it does not (another hnswlib-node, another Node ABI). Throws if unreadable.
 */
function readStamp<S extends { hnswlibNode: string; nodeModules: string }>(root: string, dir: string): { stamp: S; stale?: string } {
  const stamp = JSON.parse(fs.readFileSync(path.join(dir, 'ok.json'), 'utf8')) as S;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'hnswlib-node', 'package.json'), 'utf8')) as { version: string };
  const fits = stamp.hnswlibNode === pkg.version && stamp.nodeModules === process.versions.modules;
  return { stamp, stale: fits ? undefined : `hnswlib-node ${stamp.hnswlibNode}, node ABI ${stamp.nodeModules}` };
}

/** Load a compiled addon (process.dlopen, not require: bundlers leave it alone, and the path is only known now). */
function dlopenAddon<T>(file: string): T {
  const m = { exports: {} as T };
  process.dlopen(m, file);
  return m.exports;
}

/**
 * Pick the addon. Every input can be given (tests); by default the project folder is found from
 * this file and the working directory, the flags come from /proc/cpuinfo.
 */
export function chooseHnswlib(o: { roots?: string[]; flags?: Set<string>; env?: Record<string, string | undefined>; platform?: string; arch?: string } = {}): HnswlibChoice {
  const generic = (reason: string): HnswlibChoice => ({ module: hnswlib, variant: 'generic', reason });
  const env = o.env ?? process.env;
  if (env.CLIPDEX_HNSWLIB_SIMD === '0') return generic('CLIPDEX_HNSWLIB_SIMD=0');
  if ((o.platform ?? process.platform) !== 'linux' || (o.arch ?? process.arch) !== 'x64') return generic('not linux x64');
  const roots = o.roots ?? projectRoots();
  const flags = o.flags ?? cpuFlags();
  // why the level last tried (v3, the lowest) was not used: the generic addon's reason
  let why = '';
  for (const { march } of MARCH_LEVELS) {
    if (march === 'x86-64-v4' && env.CLIPDEX_HNSWLIB_SIMD === 'v3') continue;
    const root = roots.find((r) => fs.existsSync(path.join(r, simdDir(march), 'ok.json')));
    if (!root) {
      why = march === 'x86-64-v3' ? 'no x86-64-v3 build (npm install makes one on a CPU with AVX2)' : `no ${march} build`;
      continue;
    }
    const missing = lacking(march, flags);
    if (missing.length) {
      why = `this CPU lacks ${missing.join(', ')}`;
      continue;
    }
    const dir = path.join(root, simdDir(march));
    try {
      const { stale } = readStamp<SimdStamp>(root, dir);
      if (stale) {
        why = `the ${march} build is stale (${stale}): run npm install`;
        continue;
      }
      const module = dlopenAddon<HnswlibModule>(path.join(dir, 'build', 'Release', 'addon.node'));
      if (typeof module.HierarchicalNSW === 'function') return { module, variant: march };
      why = `the ${march} build exports no HierarchicalNSW`;
    } catch (err) {
      why = `the ${march} build did not load (${(err as Error).message})`;
    }
  }
  return generic(why);
}

let chosen: HnswlibChoice | undefined;
/** The addon this process uses (chosen once). */
export function hnswlibChoice(): HnswlibChoice {
  return (chosen ??= chooseHnswlib());
}

/** issue 13 (target 4): clipdex's parallel builder (native/hnsw-builder; scripts/build-hnsw-builder.mjs). */
export interface NativeBuilder {
  /** Insert `labels.length` rows (row i is rows[i·dim … (i+1)·dim)), with the builder's threads, off this thread. */
  add(rows: Float32Array, labels: Uint32Array): Promise<void>;
  /** hnswlib's saveIndex: the file hnswlib-node's readIndex reads. */
  save(file: string): Promise<void>;
  count(): number;
  /**
   * Recall@k of the graph at each ef for `queries` (rows of dim floats), against exact search over
   * its points; `self[i]`: query i's own label when it is one of the points (left out of its
   * answers), 0xffffffff when not.
   */
  calibrate(queries: Float32Array, k: number, efs: Uint32Array, self?: Uint32Array): Promise<Float64Array>;
  /** Free the graph now. */
  close(): void;
}
export interface BuilderModule {
  Builder: new (dim: number, maxElements: number, m: number, efConstruction: number, seed: number, threads: number, nice: number) => NativeBuilder;
}
export const BUILDER_DIR = path.join('node_modules', '.cache', 'clipdex', 'hnsw-builder');

export interface BuilderChoice {
  module?: BuilderModule;
  march?: string;
  /** Why there is none (a rebuild then inserts from the JavaScript thread). */
  reason?: string;
}

/**
 * Load the parallel builder if npm install built one for this hnswlib-node and this Node (an
 * x86-64-v3 or -v4 build only on a CPU with that level's features). CLIPDEX_HNSW_BUILDER=0 turns it off.
 */
export function chooseBuilder(o: { roots?: string[]; flags?: Set<string>; env?: Record<string, string | undefined> } = {}): BuilderChoice {
  const env = o.env ?? process.env;
  if (env.CLIPDEX_HNSW_BUILDER === '0') return { reason: 'CLIPDEX_HNSW_BUILDER=0' };
  const root = (o.roots ?? projectRoots()).find((r) => fs.existsSync(path.join(r, BUILDER_DIR, 'ok.json')));
  if (!root) return { reason: 'no parallel builder (npm install compiles one where a C++ compiler is present)' };
  const dir = path.join(root, BUILDER_DIR);
  try {
    const { stamp, stale } = readStamp<SimdStamp>(root, dir);
    if (stale) return { reason: `the parallel builder is stale (${stale}): run npm install` };
    const missing = lacking(stamp.march, o.flags ?? cpuFlags());
    if (missing.length) return { reason: `the parallel builder was compiled for ${stamp.march} and this CPU lacks ${missing.join(', ')}: run npm install` };
    const module = dlopenAddon<BuilderModule>(path.join(dir, 'build', 'Release', 'hnsw_builder.node'));
    if (typeof module.Builder !== 'function') return { reason: 'the parallel builder exports no Builder' };
    return { module, march: stamp.march };
  } catch (err) {
    return { reason: `the parallel builder did not load (${(err as Error).message})` };
  }
}

let builder: BuilderChoice | undefined;
/** The parallel builder this process uses, if any (chosen once). */
export function builderChoice(): BuilderChoice {
  return (builder ??= chooseBuilder());
}
