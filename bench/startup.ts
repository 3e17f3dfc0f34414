/**
 * Start-up of the `clipdex` command (issue 13, target 1): wall time of whole processes, like
 * hyperfine, interleaved so every case sees the same machine load, median of --runs (default 9),
 * and each as a ratio of a bare `node -e 0` from the same rounds.
 *
 * Cases: `--help` and a text search on a small library (--images, default 50 demo pairs ingested
 * once into bench/.cache/startup), each through the prebuilt JavaScript (dist/, scripts/build-cli.mjs)
 * and through tsx (CLIPDEX_NO_PREBUILT=1, what every run paid before). Targets: --help ≤ 4×,
 * search ≤ 8× the bare node start.
 *
 * --baseline DIR adds the same prebuilt cases run from another checkout (for example a worktree of
 * the previous commit, with its own `node scripts/build-cli.mjs`) in the same rounds, on the same
 * library and model folder.
 *
 *   npx tsx bench/startup.ts [--runs 9] [--images 50] [--baseline DIR]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE, ROOT, prebuiltStale, printFooter, printHeader } from './shared/machine';
import { fmt, median, parseArgs, percentile, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const runs = Number(args.get('runs') ?? 9);
const nImages = Number(args.get('images') ?? 50);
const BIN = path.join(ROOT, 'bin', 'clipdex.mjs');
const dir = path.join(CACHE, 'startup');
const env = { ...process.env, CLIPDEX_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' };
delete (env as Record<string, string | undefined>).DATABASE_URL;

function run(argv: string[], extraEnv: Record<string, string> = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

// A fresh build, and a check at the end that no source changed meanwhile (the launcher would have
// fallen back to tsx for the "prebuilt" rows).
spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs'), '--quiet'], { cwd: ROOT, stdio: 'inherit' });
printHeader('clipdex start-up — bench/startup.ts', ['commander', 'esbuild', 'tsx', 'onnxruntime-node', 'sharp', '@prisma/client', 'hnswlib-node']);

// The small library: the first nImages demo pairs, ingested once (kept between runs).
fs.mkdirSync(dir, { recursive: true });
const corpus = path.join(dir, `demo-${nImages}.tsv`);
if (!fs.existsSync(path.join(dir, 'data', `ready-${nImages}`))) {
  fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true });
  fs.writeFileSync(corpus, fs.readFileSync(path.join(ROOT, 'demo', 'train.tsv'), 'utf8').split('\n').slice(0, nImages).join('\n') + '\n');
  run([BIN, 'ingest', corpus, '--dataset', 'startup', '--no-progress']);
  fs.writeFileSync(path.join(dir, 'data', `ready-${nImages}`), '');
}

const prebuilt = { CLIPDEX_NO_PREBUILT: '0' };
const tsx = { CLIPDEX_NO_PREBUILT: '1' };
const cases: { name: string; argv: string[]; env?: Record<string, string> }[] = [
  { name: 'node -e 0 (baseline)', argv: ['-e', '0'] },
  { name: 'clipdex --help (prebuilt)', argv: [BIN, '--help'], env: prebuilt },
  { name: 'clipdex search --text (prebuilt)', argv: [BIN, 'search', '--text', 'red heart', '--k', '5'], env: prebuilt },
  { name: 'clipdex search --text (prebuilt, CLIPDEX_ONNX_WORKER=1)', argv: [BIN, 'search', '--text', 'red heart', '--k', '5'], env: { ...prebuilt, CLIPDEX_ONNX_WORKER: '1' } },
  ...(args.get('baseline')
    ? [
        { name: 'baseline: clipdex --help (prebuilt)', argv: [path.resolve(args.get('baseline')!, 'bin', 'clipdex.mjs'), '--help'], env: { ...prebuilt, CLIPDEX_MODEL_DIR: path.join(ROOT, 'models', 'mini-clip') } },
        { name: 'baseline: clipdex search --text (prebuilt)', argv: [path.resolve(args.get('baseline')!, 'bin', 'clipdex.mjs'), 'search', '--text', 'red heart', '--k', '5'], env: { ...prebuilt, CLIPDEX_MODEL_DIR: path.join(ROOT, 'models', 'mini-clip') } },
      ]
    : []),
  { name: 'clipdex --help (tsx)', argv: [BIN, '--help'], env: tsx },
  { name: 'clipdex search --text (tsx)', argv: [BIN, 'search', '--text', 'red heart', '--k', '5'], env: tsx },
];
// One warm-up round (file cache), then interleaved rounds.
for (const c of cases) run(c.argv, c.env);
const times = cases.map(() => [] as number[]);
for (let r = 0; r < runs; r++) cases.forEach((c, i) => times[i].push(run(c.argv, c.env)));

const base = median(times[0]);
console.log(
  table(
    ['case', 'median ms', 'min ms', 'p90 ms', '× node -e 0 (median)', 'runs'],
    cases.map((c, i) => [c.name, fmt(median(times[i])), fmt(Math.min(...times[i])), fmt(percentile(times[i], 90)), fmt(median(times[i]) / base), runs]),
  ),
);
// Same-round ratios too: each round's case over that round's baseline, then the median.
const perRound = (i: number) => median(times[i].map((t, r) => t / times[0][r]));
console.log(`\nmedian of per-round ratios: ${cases.slice(1).map((c, i) => `${c.name} ${fmt(perRound(i + 1))}×`).join('; ')}`);
const changed = prebuiltStale();
if (changed.length) console.log(`\n**INVALID prebuilt rows**: ${changed.join(', ')} changed during the run (the launcher fell back to tsx); run again`);
printFooter();
