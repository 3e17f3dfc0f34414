#!/usr/bin/env node
// Launcher for `npx clipdex …`: runs cli/main.ts through tsx's loader, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv);
// onnxruntime and Prisma may keep handles open; the work is done and saved, so exit now.
process.exit(code);
