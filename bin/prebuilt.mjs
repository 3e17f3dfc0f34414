// Which CLI entry bin/clipdex.mjs runs: the prebuilt dist/cli.mjs (scripts/build-cli.mjs) while it
// is up to date with every source file it was built from, else none (the launcher uses tsx).
import fs from 'node:fs';
import path from 'node:path';

/**
 * dist/cli.mjs under `root` when dist/build.json exists and none of the files it lists changed
 * after the build started (a stat per file: ~1 ms); undefined when there is no build, a listed
 * file is gone or newer, or CLIPDEX_NO_PREBUILT=1.
 */
export function freshBuild(root, env = process.env) {
  if (env.CLIPDEX_NO_PREBUILT === '1') return undefined;
  try {
    const { builtAt, inputs } = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'build.json'), 'utf8'));
    if (typeof builtAt !== 'number' || !Array.isArray(inputs) || inputs.length === 0) return undefined;
    for (const f of inputs) if (fs.statSync(path.join(root, f)).mtimeMs > builtAt) return undefined;
    return path.join(root, 'dist', 'cli.mjs');
  } catch {
    return undefined; // no build, or a source file gone: the sources decide
  }
}
