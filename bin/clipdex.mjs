#!/usr/bin/env node
// Launcher for `npx clipdex …`: runs cli/main.ts through tsx's loader, so no build step is needed.
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'tsx/esm/api';

// Run from another folder, the bundled model is still the default (data stays in ./data of the
// folder the command runs in, as documented).
const root = path.resolve(import.meta.dirname, '..');
if (!process.env.CLIPDEX_MODEL_DIR && !fs.existsSync(path.resolve('models', 'mini-clip', 'config.json'))) {
  process.env.CLIPDEX_MODEL_DIR = path.join(root, 'models', 'mini-clip');
}

register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv);
// onnxruntime and Prisma may keep handles open; the work is done and saved, so exit now.
process.exit(code);
