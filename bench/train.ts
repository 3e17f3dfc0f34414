/**
 * Train bench (issue 12): `clipdex train` end to end (a child process, wall clock and peak RSS),
 * the validation text→image mean recall with and without the adapter — measured twice in the
 * same run: by the trainer itself and by `clipdex evaluate --protocol easynlp` with and without
 * `--adapter` — and what an adapter costs at search time (query projection, re-projection of
 * stored vectors, activation of the demo library).
 *
 *   npx tsx bench/train.ts [--sets fluent-hc,demo,fluent-hc-inverted] [--epochs 10] [--towers image,both] [--hidden 0,256] [--activate 1]
 * Data: bench/.cache/train/fluent-hc-{train,valid}.tsv (made by bench/train/build-fluent-hc.ts
 * when absent: 450 / 150 Fluent high-contrast emoji, the style mini-clip never trained on, no
 * concept in both) and demo/train.tsv → demo/valid.tsv.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { project, projectRows, zeroWeights } from '../lib/adapters';
import { printFooter, printHeader, ROOT } from './shared/machine';
import { listArg, median, numListArg, parseArgs, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const sets = listArg(args, 'sets', 'fluent-hc,demo,fluent-hc-inverted');
const towersList = listArg(args, 'towers', 'image,both');
const epochs = numListArg(args, 'epochs', '10')[0];
const activate = numListArg(args, 'activate', '1')[0] === 1;
/** `--hidden 0,256`: linear and MLP adapters (clipdex train --hidden). */
const hiddens = numListArg(args, 'hidden', '0,256');
const HIDDEN_COST = 256;
const CLI = path.join(ROOT, 'bin/clipdex.mjs');
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

printHeader('Train mode (issue 12): adapter training time, validation recall, search-time cost', ['onnxruntime-node', 'hnswlib-node']);

const files: Record<string, [string, string]> = {
  'fluent-hc': ['bench/.cache/train/fluent-hc-train.tsv', 'bench/.cache/train/fluent-hc-valid.tsv'],
  demo: ['demo/train.tsv', 'demo/valid.tsv'],
  // not a target: the same lines inverted (white on black), a style gap no augmentation imitated
  'fluent-hc-inverted': ['bench/.cache/train/fluent-hc-inverted-train.tsv', 'bench/.cache/train/fluent-hc-inverted-valid.tsv'],
};
if (sets.some((s) => s.startsWith('fluent-hc')) && !sets.every((s) => !s.startsWith('fluent-hc') || fs.existsSync(path.join(ROOT, files[s][0])))) {
  execFileSync('npx', ['tsx', 'bench/train/build-fluent-hc.ts'], { cwd: ROOT, stdio: 'inherit' });
}

function run(argv: string[], env: Record<string, string>) {
  const cmd = TIME ? [TIME, '-f', '__RSS_KB %M', process.execPath, CLI, ...argv] : [process.execPath, CLI, ...argv];
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`clipdex ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const rss = /__RSS_KB (\d+)/.exec(r.stderr)?.[1];
  return { stdout: r.stdout, seconds, rssMiB: rss ? Number(rss) / 1024 : undefined };
}

const evalMean = (out: string) => (JSON.parse(out) as { mean_recall: number }).mean_recall;

const rows: (string | number)[][] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-bench-train-'));
try {
  for (const set of sets) {
    const [train, valid] = files[set];
    const lines = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').filter(Boolean).length;
    for (const towers of towersList) for (const hidden of hiddens) {
      const name = `${set}-${towers}-h${hidden}`;
      const argv = ['train', train, '--valid', valid, '--name', name, '--epochs', String(epochs), '--towers', towers, '--hidden', String(hidden), '--json'];
      console.log(`- \`clipdex ${argv.join(' ')}\` (${lines(train)} / ${lines(valid)} lines)`);
      const env = { CLIPDEX_DATA_DIR: dataDir };
      const t = run(argv, env);
      const j = JSON.parse(t.stdout) as { baseline: { mean: number; r1: number; r10: number }; best: { mean: number; r1: number; r10: number }; bestEpoch: number; seconds: number; embedSeconds: number };
      const base = evalMean(run(['evaluate', valid, '--protocol', 'easynlp', '--no-ann', '--json'], env).stdout);
      const adapted = evalMean(run(['evaluate', valid, '--protocol', 'easynlp', '--no-ann', '--json', '--adapter', name], env).stdout);
      rows.push([
        set, towers, hidden ? `MLP ${hidden}` : 'linear', `${t.seconds.toFixed(1)} s (embed ${j.embedSeconds.toFixed(1)}, train ${j.seconds.toFixed(1)})`, t.rssMiB ? `${t.rssMiB.toFixed(0)} MiB` : 'n/a',
        j.baseline.mean.toFixed(2), j.best.mean.toFixed(2), `${(j.best.mean - j.baseline.mean >= 0 ? '+' : '')}${(j.best.mean - j.baseline.mean).toFixed(2)}`,
        `${j.baseline.r1.toFixed(1)} → ${j.best.r1.toFixed(1)}`, j.bestEpoch, `${base.toFixed(2)} → ${adapted.toFixed(2)}`,
      ]);
    }
  }
  console.log('');
  console.log(table(
    ['pairs', 'towers', 'adapter', 'clipdex train wall clock', 'peak RSS', 'valid mean (model)', 'valid mean (adapter)', 'gain', 'R@1', 'best epoch', 'clipdex evaluate --protocol easynlp (no adapter → --adapter)'],
    rows,
  ));

  // search-time cost, on the model's dimension (256 for mini-clip; 512 for ViT-B/32)
  console.log('\n### Cost of an adapter at search time\n');
  const costRows: (string | number)[][] = [];
  for (const dim of [256, 512]) {
    for (const hidden of [0, HIDDEN_COST]) {
      const w = zeroWeights(dim, hidden, () => Math.random());
      for (let i = 0; i < w.image.w.length; i++) w.image.w[i] = Math.sin(i) * 1e-2;
      const q = new Float32Array(dim).map((_, i) => Math.cos(i));
      const times: number[] = [];
      for (let r = 0; r < 2000; r++) {
        const t0 = performance.now();
        project(w.image, dim, q);
        times.push((performance.now() - t0) * 1000);
      }
      const n = 20_000;
      const data = new Float32Array(n * dim).map(() => Math.random() - 0.5);
      const t0 = performance.now();
      projectRows(w.image, dim, data, n);
      const per = ((performance.now() - t0) * 1000) / n;
      costRows.push([dim, hidden ? `MLP, hidden ${hidden}` : 'linear', `${median(times).toFixed(1)} µs`, `${per.toFixed(1)} µs`, `${per.toFixed(1)} s`]);
    }
  }
  console.log(table(['dim', 'adapter', 'query projection (median of 2000)', 're-projection per stored vector (20k)', 'projection of 1M stored vectors (extrapolated)'], costRows));

  if (activate) {
    const env = { CLIPDEX_DATA_DIR: dataDir, CLIPDEX_DEMO_CORPUS: '/nonexistent' };
    const ing = run(['ingest', 'demo/train.tsv', '--dataset', 'demo'], env);
    const first = `${sets[0]}-${towersList[0]}-h${hiddens.at(-1)}`;
    const act = run(['adapters', 'activate', first], env);
    const q = run(['search', '--text', 'cat', '--k', '5', '--json'], env);
    const qa = run(['search', '--text', 'cat', '--k', '5', '--json', '--adapter', first], env);
    console.log(`\n- demo library: ingest ${ing.seconds.toFixed(1)} s; \`clipdex adapters activate\` of \`${first}\` (re-projects every stored image and text vector, builds its two HNSW indexes) ${act.seconds.toFixed(1)} s wall clock incl. process start; a CLI search with the adapter active ${q.seconds.toFixed(2)} s, with --adapter ${qa.seconds.toFixed(2)} s (process start + model load included)`);
  }
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
printFooter();
