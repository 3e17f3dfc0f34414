#!/usr/bin/env node
// Launcher for `npx clipdex …`. Runs the prebuilt JavaScript in dist/ (scripts/build-cli.mjs, run
// by `npm install`) when it is up to date with every source file it was built from; otherwise —
// no build yet, or a source edited since — runs cli/main.ts through tsx's loader, so an edit takes
// effect at once without a build step (only the start is slower, ~0.4 s).
import fs from 'node:fs';
import path from 'node:path';
import { freshBuild } from './prebuilt.mjs';

// Run from another folder, the bundled model is still the default (data stays in ./data of the
// folder the command runs in, as documented).
const root = path.resolve(import.meta.dirname, '..');
if (!process.env.CLIPDEX_MODEL_DIR && !fs.existsSync(path.resolve('models', 'mini-clip', 'config.json'))) {
  process.env.CLIPDEX_MODEL_DIR = path.join(root, 'models', 'mini-clip');
}

const built = freshBuild(root);
let main;
if (built) {
  ({ main } = await import(built));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
const code = await main(process.argv);
// onnxruntime and Prisma may keep handles open; the work is done and saved, so exit now.
process.exit(code);
