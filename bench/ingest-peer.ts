/**
 * Ingest side by side with the peer pipeline (issue 13, target 6): wall time of whole commands,
 * interleaved in the same rounds, median of --repeats (default 3):
 * - `clipdex ingest FILE` (bin/clipdex.mjs, a fresh data dir each run: hashes, originals,
 *   thumbnails, database, index, near-duplicate links), as it runs by default (with OCR, issue 11)
 *   and with `--no-ocr` (what the peer does: no text read inside the images);
 * - the peer: bench/ingest/peer.mjs, Transformers.js decoding and embedding the same pairs with the
 *   same model in batches of 32, no storage.
 * Corpora: demo/train.tsv (1,000 emoji pairs) and 1,000 generated 500×500 JPEG pairs (q85).
 * "× peer" = peer seconds / clipdex seconds (> 1: clipdex is faster).
 *
 * --baseline DIR adds `clipdex ingest --no-ocr` run from another checkout (for example a worktree of
 * the previous commit, with its own `node scripts/build-cli.mjs`) to the same rounds.
 *
 *   npx tsx bench/ingest-peer.ts [--repeats 3] [--corpora demo,jpeg] [--model models/mini-clip] [--baseline DIR] [--no-ocr-only]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE, ROOT, prebuiltStale, printFooter, printHeader } from './shared/machine';
import { jpegPairsCorpus } from './shared/images';
import { fmt, listArg, median, parseArgs, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const repeats = Number(args.get('repeats') ?? 3);
const corpora = listArg(args, 'corpora', 'demo,jpeg');
const model = path.resolve(args.get('model') ?? path.join(ROOT, 'models', 'mini-clip'));
const dir = path.join(CACHE, 'ingest-peer');
fs.mkdirSync(dir, { recursive: true });


// Wall seconds, and CPU seconds (user + sys, all threads) through GNU time: on a shared machine the
// CPU a command needs is steadier than its wall time.
function timed(argv: string[], env: Record<string, string>): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, ...argv], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs'), '--quiet'], { cwd: ROOT, stdio: 'inherit' });
printHeader('ingest vs the peer pipeline — bench/ingest-peer.ts', ['onnxruntime-node', '@huggingface/transformers', 'sharp']);
console.log(`- model: ${path.relative(ROOT, model)}; clipdex with its defaults (CLIPDEX_THREADS, batch size, near-duplicate links on); peer: Transformers.js defaults, batches of 32\n`);

const files: [string, string][] = [];
if (corpora.includes('demo')) files.push(['demo/train.tsv (1,000 emoji pairs)', path.join(ROOT, 'demo', 'train.tsv')]);
if (corpora.includes('jpeg')) files.push(['1,000 JPEG pairs (500×500)', await jpegPairsCorpus(1000, dir)]);

const rows: (string | number)[][] = [];
for (const [label, file] of files) {
  const cases = [
    { name: 'clipdex ingest (default: OCR on)', argv: [path.join(ROOT, 'bin', 'clipdex.mjs'), 'ingest', file, '--dataset', 'bench', '--no-progress'], env: { CLIPDEX_MODEL_DIR: model } },
    { name: 'clipdex ingest --no-ocr', argv: [path.join(ROOT, 'bin', 'clipdex.mjs'), 'ingest', file, '--dataset', 'bench', '--no-progress', '--no-ocr'], env: { CLIPDEX_MODEL_DIR: model } },
    { name: 'peer (Transformers.js)', argv: [path.join(ROOT, 'bench', 'ingest', 'peer.mjs'), file, model], env: {} as Record<string, string> },
    ...(args.get('baseline')
      ? [{ name: 'baseline: clipdex ingest --no-ocr', argv: [path.resolve(args.get('baseline')!, 'bin', 'clipdex.mjs'), 'ingest', file, '--dataset', 'bench', '--no-progress', '--no-ocr'], env: { CLIPDEX_MODEL_DIR: model } }]
      : []),
  ].filter((c) => !(args.has('no-ocr-only') && c.name.includes('OCR on')));
  const peerAt = cases.findIndex((c) => c.name.startsWith('peer'));
  const times = cases.map(() => [] as number[]);
  const cpus = cases.map(() => [] as number[]);
  for (let r = 0; r < repeats; r++) {
    cases.forEach((c, i) => {
      const data = path.join(dir, `data-${process.pid}`);
      fs.rmSync(data, { recursive: true, force: true });
      const t = timed(c.argv, { ...c.env, CLIPDEX_DATA_DIR: data });
      times[i].push(t.wall);
      cpus[i].push(t.cpu);
      fs.rmSync(data, { recursive: true, force: true });
    });
  }
  const peer = median(times[peerAt]);
  const peerCpu = median(cpus[peerAt]);
  cases.forEach((c, i) =>
    rows.push([label, c.name, fmt(median(times[i])), times[i].map((t) => fmt(t)).join(', '), fmt(peer / median(times[i])), fmt(median(cpus[i])), fmt(peerCpu / median(cpus[i]))]),
  );
}
console.log(table(['corpus', 'command', 'median wall s', 'runs (s)', '× peer speed (wall)', 'median CPU s', 'peer CPU / CPU'], rows));
const changed = prebuiltStale();
if (changed.length) console.log(`\n**INVALID clipdex rows**: ${changed.join(', ')} changed during the run (the launcher fell back to tsx); run again`);
printFooter();
