#!/usr/bin/env node
// `npm start`: migrate the database (`clipdex migrate`: SQLite or PostgreSQL from DATABASE_URL),
// build if needed, ingest the bundled demo corpus on the very first run, then serve the app on
// http://127.0.0.1:3000 (HOST / PORT override).
import { spawn, spawnSync } from 'node:child_process';
import { ensureBuild } from './ensure-build.mjs';
import { ingestDemoOnce } from './first-run-demo.mjs';
import { withHugePages } from './huge-pages.mjs';
import { clipdexBin, nextBin, root } from './paths.mjs';

process.chdir(root);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

// Migrating first also checks the configuration (a bad CLIPDEX_ADMIN_TOKEN, DATABASE_URL, …) before
// minutes of building.
const migrate = spawnSync(process.execPath, [clipdexBin, 'migrate'], { cwd: root, stdio: 'inherit', env });
if (migrate.status !== 0) {
  console.error(`clipdex: not starting: the configuration check and database migration failed (exit ${migrate.status}); see the message above.`);
  process.exit(1);
}
ensureBuild();

ingestDemoOnce(env);

const host = env.HOST ?? '127.0.0.1';
const port = env.PORT ?? '3000';
console.log(`clipdex: serving on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`);
// the server holds the HNSW graphs: huge pages for them (scripts/huge-pages.mjs)
const child = spawn(process.execPath, [nextBin, 'start', '-H', host, '-p', port], { cwd: root, stdio: 'inherit', env: withHugePages(env) });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
