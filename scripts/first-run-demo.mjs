// The first-run demo ingest of `npm start`: ingest the bundled corpus as dataset "demo" once, and
// remember that it is done with a marker file in the data dir — only when the CLI exits 0. Its
// other codes (1 nothing ingested, 2 bad input, 3 model setup, a crash) leave no marker, so the
// next start tries again.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { clipdexBin, dataDirOf, root } from './paths.mjs';

/** Returns 'skipped' (disabled, done before, or no corpus), 'done' or 'failed'. */
export function ingestDemoOnce(env = process.env, stdio = 'inherit') {
  const demo = path.resolve(root, env.CLIPDEX_DEMO_CORPUS ?? 'demo/train.tsv');
  const marker = path.join(dataDirOf(env), '.demo-ingested');
  if (env.CLIPDEX_SKIP_DEMO === '1' || fs.existsSync(marker) || !fs.existsSync(demo)) return 'skipped';
  console.log(`clipdex: first run — ingesting the demo corpus ${path.relative(root, demo)} as dataset "demo"…`);
  const r = spawnSync(process.execPath, [clipdexBin, 'ingest', demo, '--dataset', 'demo'], { cwd: root, stdio, env });
  if (r.status === 0) {
    fs.writeFileSync(marker, new Date().toISOString());
    return 'done';
  }
  console.error(
    `clipdex: the demo ingest did not finish (exit ${r.status ?? r.signal}); the app starts anyway, and the next start tries again (or run \`npx clipdex ingest demo/train.tsv --dataset demo\`).`,
  );
  return 'failed';
}
