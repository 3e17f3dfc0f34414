// What the two install-time native builds share (scripts/build-hnswlib-simd.mjs, the x86-64-v3
// copy of hnswlib-node; scripts/build-hnsw-builder.mjs, clipdex's parallel index builder): find
// node-gyp and the running Node's own headers (offline: nothing downloads), compile in a temporary
// folder, self-test the result in a child process (a crash or an illegal instruction kills only
// the child), then move it into place with a stamp. Never throws: every outcome is one sentence.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** /proc/cpuinfo flags of x86-64-v3 (lzcnt shows as abm); lib/index/hnswlib-module.ts has the same list. */
export const X86_64_V3_FLAGS = ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'];
/** … and of x86-64-v4 (AVX-512 F/BW/CD/DQ/VL on top of v3); the same list there too. */
export const X86_64_V4_FLAGS = [...X86_64_V3_FLAGS, 'avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'];
/** The -march levels clipdex compiles for, best first, with the CPU flags each needs. */
export const MARCH_LEVELS = [
  { march: 'x86-64-v4', flags: X86_64_V4_FLAGS },
  { march: 'x86-64-v3', flags: X86_64_V3_FLAGS },
];

/** The best level of MARCH_LEVELS this platform and these CPU flags run, or undefined (generic). */
export function bestMarch(flags, platform = process.platform, arch = process.arch) {
  if (platform !== 'linux' || arch !== 'x64') return undefined;
  return MARCH_LEVELS.find((l) => l.flags.every((f) => flags.has(f)))?.march;
}

export function cpuFlags() {
  try {
    const line = /^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return new Set(line ? line[1].trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

function nodeGyp(env) {
  const c = [env.npm_config_node_gyp];
  if (env.npm_execpath) c.push(path.join(path.dirname(env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  c.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return c.find((p) => p && fs.existsSync(p));
}

/** The stamp in `dst`/ok.json, or undefined. */
export function readStamp(dst) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dst, 'ok.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Compile the addon whose sources `copy` lists ([from, to] pairs, `to` relative to the build
 * folder, which must hold binding.gyp) into `dst`. `selfTest(addonPath)` returns the arguments of
 * a `node -e` child run (a script and its argv) that exits 0 when the addon is sound. `stamp` is
 * written to ok.json; `what` names the addon in the sentences. Returns [ok, sentence-fragment].
 */
export function compileAddon({ dst, copy, cxxflags = '', env = process.env, selfTest, stamp, addonName }) {
  const gyp = nodeGyp(env);
  const nodedir = path.resolve(path.dirname(process.execPath), '..');
  if (!gyp) return [false, 'skipped (node-gyp not found beside npm)'];
  if (!fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) return [false, `skipped (no Node headers under ${nodedir}/include/node)`];
  const tmp = `${dst}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    fs.mkdirSync(tmp, { recursive: true });
    for (const [from, to] of copy) fs.cpSync(from, path.join(tmp, to), { recursive: true, dereference: true });
    const t = performance.now();
    const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], {
      cwd: tmp,
      env: { ...env, CXXFLAGS: `${env.CXXFLAGS ?? ''} ${cxxflags}`.trim() },
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (r.status !== 0) return [false, `not built (node-gyp: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')})`];
    const seconds = ((performance.now() - t) / 1000).toFixed(1);
    const addon = path.join(tmp, 'build', 'Release', `${addonName}.node`);
    const test = spawnSync(process.execPath, ['-e', ...selfTest(addon)], { encoding: 'utf8', timeout: 120_000 });
    if (test.status !== 0) return [false, `built but failed its self-test (${(test.stderr || `signal ${test.signal}`).trim()})`];
    fs.rmSync(path.join(tmp, 'build', 'Release', 'obj.target'), { recursive: true, force: true });
    fs.writeFileSync(path.join(tmp, 'ok.json'), `${JSON.stringify(stamp)}\n`);
    fs.rmSync(dst, { recursive: true, force: true });
    fs.renameSync(tmp, dst);
    return [true, `built in ${seconds} s and self-tested`];
  } catch (err) {
    return [false, `not built (${err.message})`];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
