/**
 * Issue 13 target 7: the x86-64-v3 and x86-64-v4 hnswlib-node copies npm install builds, and the
 * choice between them and the generic addon. Real compiler, real addons, real index files on disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseHnswlib, SIMD_DIR, simdDir, X86_64_V3_FLAGS, X86_64_V4_FLAGS } from '../../lib/index/hnswlib-module';
import { HnswIndex } from '../../lib/index';
// @ts-expect-error plain ESM script without types
import { buildAllSimd, buildSimd, X86_64_V3_FLAGS as SCRIPT_FLAGS, X86_64_V4_FLAGS as SCRIPT_V4_FLAGS, SIMD_REL, simdRel } from '../../scripts/build-hnswlib-simd.mjs';

const repo = path.resolve(import.meta.dirname, '..', '..');
const cpu = new Set<string>(/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim().split(/\s+/) ?? []);
// The build needs the running Node's headers (as the script checks); where they are missing the
// install keeps the generic addon, and these build tests have nothing to build.
const headers = fs.existsSync(path.join(path.dirname(process.execPath), '..', 'include', 'node', 'node_api.h'));
const capable = process.platform === 'linux' && process.arch === 'x64' && X86_64_V3_FLAGS.every((f) => cpu.has(f)) && headers;
const ALL = new Set(X86_64_V3_FLAGS);
const ALL_V4 = new Set(X86_64_V4_FLAGS);
const capableV4 = capable && X86_64_V4_FLAGS.every((f) => cpu.has(f));

let root: string; // a project folder whose node_modules holds hnswlib-node and the built copy
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-simd-'));
  fs.mkdirSync(path.join(root, 'node_modules'));
  // binding.gyp resolves node-addon-api from the build folder upwards; the generic addon is the self-test's reference
  for (const p of ['hnswlib-node', 'node-addon-api']) fs.symlinkSync(path.join(repo, 'node_modules', p), path.join(root, 'node_modules', p));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Same file format both ways: an index written by `module` is read by the generic addon with the same hits. */
function expectSameFiles(module: typeof hnswlib, name: string, seed: number): void {
  const dim = 64;
  const vs = Array.from({ length: 500 }, (_, i) => Array.from({ length: dim }, (_, j) => Math.sin(i * seed + j * 1.3)));
  const a = new module.HierarchicalNSW('ip', dim);
  a.initIndex({ maxElements: 500, m: 16, efConstruction: 100, randomSeed: 1 });
  vs.forEach((v, i) => a.addPoint(v, i));
  const file = path.join(root, name);
  a.writeIndexSync(file);
  const b = new hnswlib.HierarchicalNSW('ip', dim);
  b.readIndexSync(file);
  a.setEf(100);
  b.setEf(100);
  for (const q of vs.slice(0, 20)) expect(b.searchKnn(q, 5).neighbors).toEqual(a.searchKnn(q, 5).neighbors);
}

describe('x86-64-v3 and x86-64-v4 hnswlib-node builds', () => {
  it('the script and the loader agree on the folder and the CPU features', () => {
    expect(SCRIPT_FLAGS).toEqual(X86_64_V3_FLAGS);
    expect(SCRIPT_V4_FLAGS).toEqual(X86_64_V4_FLAGS);
    expect(SIMD_REL).toBe(SIMD_DIR);
    expect(simdRel('x86-64-v4')).toBe(simdDir('x86-64-v4'));
  });

  it('is skipped, never built, on a CPU without AVX2 or when switched off', () => {
    const lines: string[] = [];
    const noAvx2 = new Set([...ALL].filter((f) => f !== 'avx2'));
    expect(buildSimd({ root, flags: noAvx2, log: (m: string) => lines.push(m) })).toMatch(/lacks avx2/);
    expect(buildSimd({ root, flags: ALL, env: { CLIPDEX_HNSWLIB_SIMD: '0' }, log: () => {} })).toMatch(/skipped/);
    expect(fs.existsSync(path.join(root, SIMD_DIR))).toBe(false);
    expect(lines).toHaveLength(1);
    // x86-64-v4 needs AVX-512 on top, and CLIPDEX_HNSWLIB_SIMD=v3 stops below it
    expect(buildSimd({ root, flags: ALL, march: 'x86-64-v4', log: () => {} })).toMatch(/lacks avx512f, avx512bw, avx512cd, avx512dq, avx512vl/);
    expect(buildSimd({ root, flags: ALL_V4, march: 'x86-64-v4', env: { CLIPDEX_HNSWLIB_SIMD: 'v3' }, log: () => {} })).toMatch(/skipped \(CLIPDEX_HNSWLIB_SIMD=v3\)/);
    expect(fs.existsSync(path.join(root, simdDir('x86-64-v4')))).toBe(false);
  });

  it.runIf(capable)('builds offline, passes its self-test, and is chosen only where it can run', { timeout: 240_000 }, async () => {
    const said = buildSimd({ root, log: () => {} });
    expect(said).toMatch(/built in .* self-tested/);
    expect(buildSimd({ root, log: () => {} })).toBe('up to date');
    const simd = chooseHnswlib({ roots: [root], flags: ALL });
    expect(simd.variant).toBe('x86-64-v3');
    expect(simd.module).not.toBe(hnswlib);
    // Fallbacks: a CPU lacking a feature (the folder copied to another machine), switched off,
    // another platform, a stale stamp, a damaged addon — each the generic addon, no crash.
    const noFma = chooseHnswlib({ roots: [root], flags: new Set([...ALL].filter((f) => f !== 'fma')) });
    expect(noFma).toMatchObject({ variant: 'generic', reason: expect.stringMatching(/lacks fma/) });
    expect(noFma.module).toBe(hnswlib);
    expect(chooseHnswlib({ roots: [root], flags: ALL, env: { CLIPDEX_HNSWLIB_SIMD: '0' } }).variant).toBe('generic');
    expect(chooseHnswlib({ roots: [root], flags: ALL, arch: 'arm64' }).variant).toBe('generic');
    expect(chooseHnswlib({ roots: [path.join(root, 'elsewhere')], flags: ALL }).reason).toMatch(/no x86-64-v3 build/);

    expectSameFiles(simd.module, 'v3.hnsw', 7.1);

    const dir = path.join(root, SIMD_DIR);
    const stamp = JSON.parse(fs.readFileSync(path.join(dir, 'ok.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({ ...stamp, hnswlibNode: '0.0.1' }));
    expect(chooseHnswlib({ roots: [root], flags: ALL }).reason).toMatch(/stale/);
    fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify(stamp));
    // A damaged addon, in another folder (dlopen hands back the library already loaded from a path).
    const other = path.join(root, 'other');
    fs.cpSync(dir, path.join(other, SIMD_DIR), { recursive: true });
    fs.symlinkSync(path.join(repo, 'node_modules', 'hnswlib-node'), path.join(other, 'node_modules', 'hnswlib-node'));
    fs.writeFileSync(path.join(other, SIMD_DIR, 'build', 'Release', 'addon.node'), 'not an ELF file');
    expect(chooseHnswlib({ roots: [other], flags: ALL })).toMatchObject({ variant: 'generic', reason: expect.stringMatching(/did not load/) });
  });

  it.runIf(capableV4)('the x86-64-v4 copy: built beside the v3 one, chosen only on a CPU with AVX-512, same files', { timeout: 240_000 }, () => {
    // v4, then v3 (built by the test above, or now)
    expect(buildAllSimd({ root, log: () => {} })).toEqual([expect.stringMatching(/built in .* self-tested/), expect.stringMatching(/up to date|built in .* self-tested/)]);
    const v4 = chooseHnswlib({ roots: [root], flags: ALL_V4 });
    expect(v4.variant).toBe('x86-64-v4');
    // the folder moved to a CPU without AVX-512, or capped: the v3 copy
    expect(chooseHnswlib({ roots: [root], flags: ALL }).variant).toBe('x86-64-v3');
    expect(chooseHnswlib({ roots: [root], flags: ALL_V4, env: { CLIPDEX_HNSWLIB_SIMD: 'v3' } }).variant).toBe('x86-64-v3');
    expect(chooseHnswlib({ roots: [root], flags: new Set([...ALL].filter((f) => f !== 'fma')) }).reason).toMatch(/lacks fma/);
    expectSameFiles(v4.module, 'v4.hnsw', 3.7);
  });

  it.runIf(capable)('this checkout (after npm install) uses the best copy this CPU runs, and HnswIndex works on disk with it', async () => {
    const best = capableV4 ? 'x86-64-v4' : 'x86-64-v3';
    if (!fs.existsSync(path.join(repo, simdDir(best), 'ok.json'))) buildAllSimd({ root: repo, log: () => {} });
    expect(chooseHnswlib().variant).toBe(best);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-simd-index-'));
    try {
      const p = { dir, kind: 'image' as const, modelId: 'm', dim: 8, m: 8, efConstruction: 50, efSearch: 32 };
      const idx = HnswIndex.create(p);
      idx.add([1, 2], [new Float32Array([1, 0, 0, 0, 0, 0, 0, 0]), new Float32Array([0, 1, 0, 0, 0, 0, 0, 0])]);
      await idx.save();
      const again = await HnswIndex.load(p);
      expect(again.search(new Float32Array([0, 1, 0, 0, 0, 0, 0, 0]), 1)[0]).toMatchObject({ label: 2 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
