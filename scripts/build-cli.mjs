#!/usr/bin/env node
// Prebuilds the CLI (cli/main.ts and the lib/ code it reaches) into plain JavaScript in dist/, so
// `clipdex` starts without transpiling TypeScript on every run (tsx costs ~0.4 s a start; issue 13).
// Run by `npm install` (postinstall, after the Prisma clients are generated: the bundle includes
// them) and by `npm run build:cli`. npm packages stay external (loaded from node_modules), and
// the code behind dynamic import() — the model, the database, the indexes — goes to chunks that
// only the commands needing them load, so `--help` stays light.
//
// dist/build.json records when the build started and every source file it read: bin/clipdex.mjs
// runs the bundle only while none of them is newer, and otherwise falls back to tsx, so a
// developer editing the TypeScript never runs stale code. A failed build is a warning, never a
// failed install: the launcher then uses tsx as before.
import fs from 'node:fs';
import path from 'node:path';
import { root } from './paths.mjs';

const outdir = path.join(root, 'dist');

// sharp (~40 ms to load) is needed to read images, not to answer a text search, list datasets
// or print stats: in the bundle, `import sharp from 'sharp'` gets a stand-in that loads the real
// module on first use (a call, a property, `new`). Only the default export is used in lib/.
const LAZY_SHARP = `import { createRequire } from 'node:module';
const load = () => (real ??= createRequire(import.meta.url)('sharp'));
let real;
export default new Proxy(function sharp() {}, {
  apply: (_t, self, args) => Reflect.apply(load(), self, args),
  construct: (_t, args) => Reflect.construct(load(), args),
  get: (_t, key) => load()[key],
  has: (_t, key) => key in load(),
});
`;
const lazySharp = {
  name: 'lazy-sharp',
  setup(b) {
    b.onResolve({ filter: /^sharp$/ }, (args) => (args.namespace === 'lazy-sharp' ? { path: 'sharp', external: true } : { path: 'sharp', namespace: 'lazy-sharp' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-sharp' }, () => ({ contents: LAZY_SHARP, loader: 'js', resolveDir: root }));
  },
};

// CommonJS packages imported from ES modules: Node runs cjs-module-lexer over each one's source to
// find its named exports before evaluating it (Prisma's runtime alone: ~25 ms of a search's start).
// In the bundle they are loaded with require() instead: each static import of one of these gets a
// two-line CommonJS stand-in, whose require goes to the banner's createRequire, and esbuild's own
// interop gives the importer its default and named exports (issue 13, start-up).
const CJS_PACKAGES = ['commander', 'cli-progress', '@prisma/client/runtime/client', 'onnxruntime-node', 'hnswlib-node', 'better-sqlite3', '@prisma/adapter-better-sqlite3'];
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const requireCjs = {
  name: 'require-cjs',
  setup(b) {
    const filter = new RegExp(`^(${CJS_PACKAGES.map(escapeRe).join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.namespace === 'require-cjs' || args.kind !== 'import-statement' ? { path: args.path, external: true } : { path: args.path, namespace: 'require-cjs' },
    );
    b.onLoad({ filter: /.*/, namespace: 'require-cjs' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});\n`, loader: 'js', resolveDir: root }));
  },
};
const REQUIRE_BANNER = "import { createRequire as __clipdexCreateRequire } from 'node:module';\nconst require = __clipdexCreateRequire(import.meta.url);";

const tmp = `${outdir}.tmp-${process.pid}`;

async function build() {
  const { build: esbuild } = await import('esbuild');
  const builtAt = Date.now();
  fs.rmSync(tmp, { recursive: true, force: true });
  const r = await esbuild({
    absWorkingDir: root,
    entryPoints: { cli: 'cli/main.ts' },
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [lazySharp, requireCjs],
    banner: { js: REQUIRE_BANNER },
  });
  const inputs = Object.keys(r.metafile.inputs).filter((f) => !f.startsWith('node_modules/') && !f.includes(':'));
  fs.writeFileSync(path.join(tmp, 'build.json'), `${JSON.stringify({ builtAt, inputs }, null, 1)}\n`);
  // Swap the whole folder, so a clipdex started meanwhile sees the old build or the new one, never a mix.
  const old = `${outdir}.old-${process.pid}`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, old);
  fs.renameSync(tmp, outdir);
  fs.rmSync(old, { recursive: true, force: true });
  return inputs.length;
}

try {
  const n = await build();
  if (!process.argv.includes('--quiet')) console.log(`clipdex: prebuilt the CLI from ${n} source files into dist/`);
} catch (err) {
  fs.rmSync(tmp, { recursive: true, force: true });
  console.warn(`clipdex: could not prebuild the CLI (${err instanceof Error ? err.message : String(err)}); bin/clipdex.mjs will run the TypeScript through tsx (slower start). Retry with: npm run build:cli`);
}
