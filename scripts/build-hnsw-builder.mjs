#!/usr/bin/env node
// Compiles clipdex's parallel HNSW builder (native/hnsw-builder: several threads insert into one
// hnswlib graph, off the JavaScript thread; issue 13, target 4) into
// node_modules/.cache/clipdex/hnsw-builder, against the hnswlib headers hnswlib-node ships, so the
// files it saves are the files hnswlib-node reads. With -march=x86-64-v4 or -v3, the best level
// this CPU has every feature of (lib/index/hnswlib-module.ts loads that build only on such a CPU),
// generic otherwise; CLIPDEX_HNSWLIB_SIMD=v3 stops at x86-64-v3. Kept only if a self-test in a
// child process finds that hnswlib-node reads the file it saved and answers as an index
// hnswlib-node built itself. Run by `npm install` (postinstall, a few seconds) and
// `npm run build:hnsw-builder`. Never fails the install: without it a rebuild inserts from the
// JavaScript thread, one point at a time. CLIPDEX_HNSW_BUILDER=0 skips it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestMarch, compileAddon, cpuFlags, readStamp, X86_64_V3_FLAGS } from './native-addon.mjs';
import { root as defaultRoot } from './paths.mjs';

export const BUILDER_REL = path.join('node_modules', '.cache', 'clipdex', 'hnsw-builder');
const SOURCES = ['binding.gyp', 'builder.cc'];

// Runs in a child: the builder (3 threads) and hnswlib-node (one at a time) index the same points;
// hnswlib-node reads the builder's file; both must find nearly every exact top-10 neighbour.
const SELF_TEST = `
const [builderFile, hnswlibDir] = process.argv.slice(1);
const { Builder } = (() => { const m = { exports: {} }; process.dlopen(m, builderFile); return m.exports; })();
const hnswlib = require(hnswlibDir);
const os = require('node:os'), path = require('node:path'), fs = require('node:fs');
let s = 11; const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
const dim = 64, n = 4000, nq = 50, rows = new Float32Array((n + nq) * dim);
for (let i = 0; i < n + nq; i++) { let l = 0; for (let d = 0; d < dim; d++) { const x = rnd(); rows[i * dim + d] = x; l += x * x; } l = Math.sqrt(l); for (let d = 0; d < dim; d++) rows[i * dim + d] /= l; }
const labels = Uint32Array.from({ length: n }, (_, i) => 1000 + i * 3);
const file = path.join(os.tmpdir(), 'clipdex-builder-selftest-' + process.pid + '.hnsw');
(async () => {
  const b = new Builder(dim, n, 16, 100, 100, 3, 0);
  await b.add(rows.subarray(0, (n / 2) * dim), labels.subarray(0, n / 2));
  await b.add(rows.subarray((n / 2) * dim, n * dim), labels.subarray(n / 2));
  if (b.count() !== n) throw new Error('count ' + b.count());
  await b.save(file); b.close();
  const a = new hnswlib.HierarchicalNSW('ip', dim); await a.readIndex(file); fs.rmSync(file);
  if (a.getCurrentCount() !== n) throw new Error('read ' + a.getCurrentCount());
  const ref = new hnswlib.HierarchicalNSW('ip', dim); ref.initIndex({ maxElements: n, m: 16, efConstruction: 100, randomSeed: 100 });
  for (let i = 0; i < n; i++) ref.addPoint(Array.from(rows.subarray(i * dim, (i + 1) * dim)), labels[i]);
  a.setEf(100); ref.setEf(100);
  let hitA = 0, hitR = 0;
  for (let q = n; q < n + nq; q++) {
    const v = rows.subarray(q * dim, (q + 1) * dim);
    const exact = Array.from({ length: n }, (_, i) => { let d = 0; for (let k = 0; k < dim; k++) d += v[k] * rows[i * dim + k]; return [labels[i], d]; }).sort((x, y) => y[1] - x[1]).slice(0, 10).map((x) => x[0]);
    const x = new Set(a.searchKnn(Array.from(v), 10).neighbors), y = new Set(ref.searchKnn(Array.from(v), 10).neighbors);
    hitA += exact.filter((l) => x.has(l)).length; hitR += exact.filter((l) => y.has(l)).length;
  }
  if (hitA < 0.95 * nq * 10 || hitA < hitR - 0.03 * nq * 10) throw new Error('recall ' + hitA / (nq * 10) + ' against ' + hitR / (nq * 10));
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

function sourceSha(dir) {
  const h = crypto.createHash('sha256');
  for (const f of SOURCES) h.update(fs.readFileSync(path.join(dir, f)));
  return h.digest('hex').slice(0, 16);
}

/** Build and self-test; returns a sentence saying what happened. Throws nothing. */
export function buildBuilder({ root = defaultRoot, flags = cpuFlags(), env = process.env, log = console.log } = {}) {
  const dst = path.join(root, BUILDER_REL);
  const say = (m) => (log(`hnsw builder: ${m}`), m);
  if (env.CLIPDEX_HNSW_BUILDER === '0') return say('skipped (CLIPDEX_HNSW_BUILDER=0)');
  const hnswlibDir = path.join(root, 'node_modules', 'hnswlib-node');
  const srcDir = path.join(root, 'native', 'hnsw-builder');
  let version, sha;
  try {
    version = JSON.parse(fs.readFileSync(path.join(hnswlibDir, 'package.json'), 'utf8')).version;
    sha = sourceSha(srcDir);
  } catch (err) {
    return say(`skipped (${err.message})`);
  }
  const best = bestMarch(env.CLIPDEX_HNSWLIB_SIMD === 'v3' ? new Set([...flags].filter((f) => X86_64_V3_FLAGS.includes(f))) : flags);
  const march = best ?? 'generic';
  const stamp = readStamp(dst);
  if (stamp?.hnswlibNode === version && stamp.nodeModules === process.versions.modules && stamp.source === sha && stamp.march === march) return say('up to date');
  const [ok, what] = compileAddon({
    dst,
    copy: [...SOURCES.map((f) => [path.join(srcDir, f), f]), [path.join(hnswlibDir, 'src', 'hnswlib'), 'hnswlib']],
    cxxflags: best ? `-march=${best}` : '',
    env,
    addonName: 'hnsw_builder',
    selfTest: (addon) => [SELF_TEST, addon, hnswlibDir],
    stamp: { hnswlibNode: version, nodeModules: process.versions.modules, source: sha, march },
  });
  return say(ok ? `${what} (${march}): rebuilds insert in parallel` : `${what}: rebuilds insert from the JavaScript thread`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) buildBuilder();
