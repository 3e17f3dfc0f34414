#!/usr/bin/env node
// Compiles copies of hnswlib-node for the CPU's SIMD level (npm's build is generic x86-64, SSE
// only): with -march=x86-64-v3 (AVX2/FMA distance kernels) into
// node_modules/.cache/clipdex/hnswlib-x86-64-v3, and, where the CPU also has AVX-512, with
// -march=x86-64-v4 (hnswlib's AVX-512 kernels) into …/hnswlib-x86-64-v4. Only on Linux x64, only
// the levels this CPU runs, and only where the compiler and Node's headers are on the machine
// (offline: --nodedir points at the running Node's own headers; nothing downloads). Both levels are
// kept so that a node_modules folder moved to an older CPU still has the best copy that CPU runs.
// Each copy is kept only if a self-test in a child process (an illegal instruction kills only the
// child) finds it returns the same neighbours as the generic addon; lib/index/hnswlib-module.ts
// then loads the best one, on a CPU with its features only. Run by `npm install` (postinstall;
// ~6 s of compiling a level) and by `npm run build:hnswlib-simd`. Never fails the install: any
// problem is one line, and clipdex uses the next level down. CLIPDEX_HNSWLIB_SIMD=0 skips it,
// CLIPDEX_HNSWLIB_SIMD=v3 builds x86-64-v3 only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileAddon, cpuFlags, MARCH_LEVELS, readStamp, X86_64_V3_FLAGS, X86_64_V4_FLAGS } from './native-addon.mjs';
import { root as defaultRoot } from './paths.mjs';

export { X86_64_V3_FLAGS, X86_64_V4_FLAGS };
/** The folder of the copy built for `march` (x86-64-v3 or x86-64-v4), relative to the project. */
export const simdRel = (march) => path.join('node_modules', '.cache', 'clipdex', `hnswlib-${march}`);
export const SIMD_REL = simdRel('x86-64-v3');

// Runs in a child: both addons build the same small index; the searches must agree.
const SELF_TEST = `
const [generic, simd] = process.argv.slice(1).map((f) => { const m = { exports: {} }; process.dlopen(m, f); return m.exports; });
let s = 7; const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
const dim = 96, n = 3000, vs = [];
for (let i = 0; i < n + 50; i++) { const v = Array.from({ length: dim }, rnd); const l = Math.hypot(...v); vs.push(v.map((x) => x / l)); }
const build = (mod) => { const h = new mod.HierarchicalNSW('ip', dim); h.initIndex({ maxElements: n, m: 16, efConstruction: 100, randomSeed: 100 }); for (let i = 0; i < n; i++) h.addPoint(vs[i], i); h.setEf(200); return h; };
const a = build(generic), b = build(simd);
let same = 0;
for (let q = n; q < n + 50; q++) {
  const x = a.searchKnn(vs[q], 10), y = b.searchKnn(vs[q], 10);
  if (x.neighbors.join() === y.neighbors.join() && x.distances.every((d, i) => Math.abs(d - y.distances[i]) < 1e-4)) same++;
}
if (same < 48) { console.error('only ' + same + ' of 50 searches agree'); process.exit(1); }
`;

/** Build and self-test the copy for one level; returns a sentence saying what happened. Throws only for a level it does not know. */
export function buildSimd({ root = defaultRoot, flags = cpuFlags(), env = process.env, log = console.log, march = 'x86-64-v3' } = {}) {
  const level = MARCH_LEVELS.find((l) => l.march === march);
  if (!level) throw new Error(`unknown level ${march}`);
  const dst = path.join(root, simdRel(march));
  const say = (m) => (log(`hnswlib ${march}: ${m}`), m);
  if (env.CLIPDEX_HNSWLIB_SIMD === '0') return say('skipped (CLIPDEX_HNSWLIB_SIMD=0)');
  if (env.CLIPDEX_HNSWLIB_SIMD === 'v3' && march !== 'x86-64-v3') return say('skipped (CLIPDEX_HNSWLIB_SIMD=v3)');
  if (process.platform !== 'linux' || process.arch !== 'x64') return say('skipped (not linux x64): the generic build is used');
  const lacking = level.flags.filter((f) => !flags.has(f));
  if (lacking.length) return say(`skipped (this CPU lacks ${lacking.join(', ')})`);
  const src = path.join(root, 'node_modules', 'hnswlib-node');
  const version = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8')).version;
  const stamp = readStamp(dst);
  if (stamp?.hnswlibNode === version && stamp.nodeModules === process.versions.modules && stamp.march === march) return say('up to date');
  const [ok, what] = compileAddon({
    dst,
    copy: ['binding.gyp', 'package.json', 'src', 'lib'].map((f) => [path.join(src, f), f]),
    cxxflags: `-march=${march}`,
    env,
    addonName: 'addon',
    selfTest: (addon) => [SELF_TEST, path.join(src, 'build', 'Release', 'addon.node'), addon],
    stamp: { hnswlibNode: version, nodeModules: process.versions.modules, march },
  });
  return say(ok ? `${what}: searches use it on CPUs with these features` : `${what}: the next level down is used`);
}

/** Every level this CPU runs (what npm install does); a sentence each. */
export function buildAllSimd(o = {}) {
  return MARCH_LEVELS.map((l) => buildSimd({ ...o, march: l.march }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) buildAllSimd();
