#!/usr/bin/env node
// Compiles a second copy of hnswlib-node with -march=x86-64-v3 (AVX2/FMA distance kernels; npm's
// build is generic x86-64, SSE only) into node_modules/.cache/clipdex/hnswlib-x86-64-v3, when this
// is Linux x64, the CPU has every x86-64-v3 feature, and the compiler and Node's headers are on
// the machine (offline: --nodedir points at the running Node's own headers; nothing downloads).
// The copy is kept only if a self-test in a child process (an illegal instruction kills only the
// child) finds it returns the same neighbours as the generic addon; lib/index/hnswlib-module.ts
// then loads it, on a CPU with those features only. Run by `npm install` (postinstall; ~9 s of
// compiling) and by `npm run build:hnswlib-simd`. Never fails the install: any problem is one
// line, and clipdex uses the generic addon. CLIPDEX_HNSWLIB_SIMD=0 skips it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { root as defaultRoot } from './paths.mjs';

/** /proc/cpuinfo flags of x86-64-v3 (lzcnt shows as abm); lib/index/hnswlib-module.ts has the same list. */
export const X86_64_V3_FLAGS = ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'];
export const SIMD_REL = path.join('node_modules', '.cache', 'clipdex', 'hnswlib-x86-64-v3');

function cpuFlags() {
  try {
    const line = /^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return new Set(line ? line[1].trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

function nodeGyp() {
  const c = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath) c.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  c.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return c.find((p) => p && fs.existsSync(p));
}

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

/** Build and self-test; returns a sentence saying what happened. Throws nothing. */
export function buildSimd({ root = defaultRoot, flags = cpuFlags(), env = process.env, log = console.log } = {}) {
  const dst = path.join(root, SIMD_REL);
  const say = (m) => (log(`hnswlib x86-64-v3: ${m}`), m);
  if (env.CLIPDEX_HNSWLIB_SIMD === '0') return say('skipped (CLIPDEX_HNSWLIB_SIMD=0)');
  if (process.platform !== 'linux' || process.arch !== 'x64') return say('skipped (not linux x64): the generic build is used');
  const lacking = X86_64_V3_FLAGS.filter((f) => !flags.has(f));
  if (lacking.length) return say(`skipped (this CPU lacks ${lacking.join(', ')}): the generic build is used`);
  const src = path.join(root, 'node_modules', 'hnswlib-node');
  const gyp = nodeGyp();
  const nodedir = path.resolve(path.dirname(process.execPath), '..');
  if (!gyp) return say('skipped (node-gyp not found beside npm): the generic build is used');
  if (!fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) return say(`skipped (no Node headers under ${nodedir}/include/node): the generic build is used`);
  const version = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8')).version;
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(dst, 'ok.json'), 'utf8'));
    if (stamp.hnswlibNode === version && stamp.nodeModules === process.versions.modules) return say('up to date');
  } catch {
    // none yet
  }
  const tmp = `${dst}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    fs.mkdirSync(tmp, { recursive: true });
    for (const f of ['binding.gyp', 'package.json', 'src', 'lib']) fs.cpSync(path.join(src, f), path.join(tmp, f), { recursive: true, dereference: true });
    const t = performance.now();
    const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], {
      cwd: tmp,
      env: { ...env, CXXFLAGS: `${env.CXXFLAGS ?? ''} -march=x86-64-v3`.trim() },
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (r.status !== 0) return say(`not built (node-gyp: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}): the generic build is used`);
    const seconds = ((performance.now() - t) / 1000).toFixed(1);
    const addon = path.join(tmp, 'build', 'Release', 'addon.node');
    const test = spawnSync(process.execPath, ['-e', SELF_TEST, path.join(src, 'build', 'Release', 'addon.node'), addon], { encoding: 'utf8', timeout: 120_000 });
    if (test.status !== 0) return say(`built but failed its self-test (${(test.stderr || `signal ${test.signal}`).trim()}): the generic build is used`);
    fs.rmSync(path.join(tmp, 'build', 'Release', 'obj.target'), { recursive: true, force: true });
    fs.writeFileSync(path.join(tmp, 'ok.json'), `${JSON.stringify({ hnswlibNode: version, nodeModules: process.versions.modules, march: 'x86-64-v3' })}\n`);
    fs.rmSync(dst, { recursive: true, force: true });
    fs.renameSync(tmp, dst);
    return say(`built in ${seconds} s and self-tested: searches use it`);
  } catch (err) {
    return say(`not built (${err.message}): the generic build is used`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) buildSimd();
