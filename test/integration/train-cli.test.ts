/**
 * `clipdex train` and `clipdex adapters` end to end: the real CLI in child processes, the real
 * model (models/mini-clip), demo lines. Covers the bad input — a one-line train file, no
 * --valid, an adapter name with path characters, an adapter file given as --valid, an adapter of
 * another model, Ctrl-C mid-training — and that an adapter is applied identically by the trainer
 * and by `evaluate --adapter`, and by activation (re-projection, no re-embedding) for search.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const MODEL_DIR = path.resolve(root, process.env.CLIPDEX_TEST_MODEL_DIR ?? 'models/mini-clip');
let tmp: string;
let dataDir: string;
let trainFile: string;
let validFile: string;
let oneLine: string;

function runCli(args: string[], opts: { env?: Record<string, string>; onStderr?: (chunk: string, kill: (s: NodeJS.Signals) => void) => void } = {}) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'clipdex.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, CLIPDEX_MODEL_DIR: MODEL_DIR, CLIPDEX_DATA_DIR: dataDir, CLIPDEX_THREADS: '1', CLIPDEX_DEMO_CORPUS: '/nonexistent', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const lines = (file: string, n: number) => fs.readFileSync(path.join(root, file), 'utf8').split('\n').filter((l) => l.trim()).slice(0, n);
const adapterDirs = () => (fs.existsSync(path.join(dataDir, 'adapters')) ? fs.readdirSync(path.join(dataDir, 'adapters')) : []);

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-train-it-'));
  dataDir = path.join(tmp, 'data');
  trainFile = path.join(tmp, 'train.tsv');
  validFile = path.join(tmp, 'valid.tsv');
  oneLine = path.join(tmp, 'one.tsv');
  fs.writeFileSync(trainFile, `${lines('demo/train.tsv', 40).join('\n')}\n`);
  fs.writeFileSync(validFile, `${lines('demo/valid.tsv', 20).join('\n')}\n`);
  fs.writeFileSync(oneLine, `${lines('demo/train.tsv', 1)[0]}\n`);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('clipdex train', () => {
  let trained: { baseline: { mean: number }; best: { mean: number }; history: unknown[]; dir: string };

  it('trains, reports validation recall per epoch, saves the adapter without activating it', async () => {
    const r = await runCli(['train', trainFile, '--valid', validFile, '--name', 'demo', '--epochs', '3', '--batch-size', '16', '--json']);
    expect(r.stderr).not.toMatch(/clipdex train:/);
    expect(r.code).toBe(0);
    trained = JSON.parse(r.stdout);
    expect(trained.history).toHaveLength(3);
    expect(trained.best.mean).toBeGreaterThanOrEqual(trained.baseline.mean);
    const manifest = JSON.parse(fs.readFileSync(path.join(dataDir, 'adapters', 'demo', 'adapter.json'), 'utf8'));
    // no recipe flag given: the default recipe (lib/train/defaults.ts), an MLP 256 on both towers, trained at 0.25 × the logit scale
    expect(manifest).toMatchObject({ name: 'demo', dim: 256, method: 'residual-mlp', hidden: 256, training: { trainPairs: 40, validPairs: 20, epochs: 3, towers: 'both', hidden: 256, logitScaleFactor: 0.25 } });
    expect(fs.existsSync(path.join(dataDir, 'adapters', 'active.json'))).toBe(false);
    const list = await runCli(['adapters', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'demo', active: false })]);
  });

  it('evaluate --adapter reproduces the trainer’s validation figure; without it, the baseline', async () => {
    const withA = await runCli(['evaluate', validFile, '--protocol', 'easynlp', '--no-ann', '--json', '--adapter', 'demo']);
    expect(withA.code).toBe(0);
    expect(JSON.parse(withA.stdout).mean_recall).toBeCloseTo(trained.best.mean, 4);
    const without = await runCli(['evaluate', validFile, '--protocol', 'easynlp', '--no-ann', '--json']);
    expect(JSON.parse(without.stdout).mean_recall).toBeCloseTo(trained.baseline.mean, 4);
  });

  it('refuses an existing name unless --replace', async () => {
    const r = await runCli(['train', trainFile, '--valid', validFile, '--name', 'demo', '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/adapter called "demo" already exists.*--replace/);
  });

  it('a one-line train file is refused (no negative to learn from)', async () => {
    const r = await runCli(['train', oneLine, '--valid', validFile, '--name', 'one', '--epochs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has 1 usable pair\(s\): training needs at least 2/);
    const r2 = await runCli(['train', oneLine, '--name', 'one', '--epochs', '1']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/no --valid file was given: pass --valid <pairs> or give at least 10 pairs/);
    expect(adapterDirs()).not.toContain('one');
  });

  it('--logit-scale-factor sets the training temperature and is recorded; 0 or less is refused', async () => {
    for (const bad of ['0', '-1']) {
      const r = await runCli(['train', trainFile, '--valid', validFile, '--name', 'cold', '--epochs', '1', `--logit-scale-factor=${bad}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--logit-scale-factor must be > 0, got ${bad}`);
    }
    const r = await runCli(['train', trainFile, '--valid', validFile, '--name', 'own-scale', '--epochs', '1', '--logit-scale-factor', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('logit scale × 1)');
    const manifest = JSON.parse(fs.readFileSync(path.join(dataDir, 'adapters', 'own-scale', 'adapter.json'), 'utf8'));
    expect(manifest.training.logitScaleFactor).toBe(1);
    expect(adapterDirs()).not.toContain('cold');
  });

  it('without --valid, holds out 10% of the lines and says so', async () => {
    const r = await runCli(['train', trainFile, '--name', 'heldout', '--epochs', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no --valid file: validated on 4 lines held out/);
    expect(r.stdout).toMatch(/on 36 pairs, validated on 4 held out/);
  });

  it('refuses adapter names with path characters before doing any work', async () => {
    for (const name of ['../evil', 'a/b', '.hidden', 'x y']) {
      const r = await runCli(['train', trainFile, '--valid', validFile, '--name', name, '--epochs', '1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`adapter name "${name}" is not allowed`);
      const r2 = await runCli(['search', '--text', 'cat', '--adapter', name]);
      expect(r2.code).toBe(2);
    }
    expect(fs.existsSync(path.join(dataDir, 'evil'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'evil'))).toBe(false);
  });

  it('refuses an adapter file given as the validation file', async () => {
    const r = await runCli(['train', trainFile, '--valid', path.join(dataDir, 'adapters', 'demo', 'adapter.json'), '--name', 'x', '--epochs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/adapter\.json/);
    expect(adapterDirs()).not.toContain('x');
  });

  it('refuses an adapter of another model with exit 3', async () => {
    const src = path.join(dataDir, 'adapters', 'demo');
    const dst = path.join(dataDir, 'adapters', 'foreign');
    fs.cpSync(src, dst, { recursive: true });
    const m = JSON.parse(fs.readFileSync(path.join(dst, 'adapter.json'), 'utf8'));
    fs.writeFileSync(path.join(dst, 'adapter.json'), JSON.stringify({ ...m, name: 'foreign', modelId: '0123456789abcdef', modelName: 'other-clip' }));
    for (const args of [['evaluate', validFile, '--no-ann'], ['predict', validFile, '--input', 'text', '--output', path.join(tmp, 'f.tsv')], ['classify', path.join(root, 'models/mini-clip/parity', fs.readdirSync(path.join(root, 'models/mini-clip/parity'))[0]), '--labels', 'cat,dog']]) {
      const r = await runCli([...args, '--adapter', 'foreign']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/adapter "foreign" was trained for model other-clip \(0123456789abcdef, 256-d\), but the loaded model is/);
    }
    const r = await runCli(['adapters', 'activate', 'foreign']);
    expect(r.code).toBe(3);
    expect(fs.existsSync(path.join(dataDir, 'adapters', 'active.json'))).toBe(false);
    fs.rmSync(dst, { recursive: true });
  });

  it('Ctrl-C mid-training exits 130 and leaves no adapter, not even a temp folder', async () => {
    let sent = false;
    const r = await runCli(['train', trainFile, '--valid', validFile, '--name', 'interrupted', '--epochs', '500', '--batch-size', '4'], {
      onStderr: (all, kill) => {
        if (!sent && /epoch 2 /.test(all)) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted.*no adapter/);
    expect(adapterDirs().filter((d) => d.includes('interrupted'))).toEqual([]);
  });
});

describe('clipdex adapters', () => {
  it('activation re-projects the stored vectors (no re-embedding) and searches use the adapter until deactivated', async () => {
    expect((await runCli(['ingest', validFile, '--dataset', 'lib'])).code).toBe(0);
    // an adapter fitted to these very lines, so its weights surely differ from the identity
    const fit = await runCli(['train', validFile, '--valid', validFile, '--name', 'fit', '--epochs', '5', '--lr', '0.01', '--replace', '--json']);
    expect(JSON.parse(fit.stdout).bestEpoch).toBeGreaterThan(0);
    const plain = JSON.parse((await runCli(['search', '--text', 'cat', '--k', '3', '--json'])).stdout);
    const act = await runCli(['adapters', 'activate', 'fit']);
    expect(act.stderr).toMatch(/image index: built, 20 vectors \(20 projected/);
    expect(act.code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'index', 'adapter-fit', 'image.json'))).toBe(true);
    const adapted = JSON.parse((await runCli(['search', '--text', 'cat', '--k', '3', '--json'])).stdout);
    const explicit = JSON.parse((await runCli(['search', '--text', 'cat', '--k', '3', '--json', '--adapter', 'fit'])).stdout);
    expect(adapted.hits.map((h: { score: number }) => h.score)).toEqual(explicit.hits.map((h: { score: number }) => h.score));
    expect(adapted.hits[0].score).not.toBeCloseTo(plain.hits[0].score, 5);
    expect(JSON.parse((await runCli(['adapters', 'list', '--json'])).stdout)).toContainEqual(expect.objectContaining({ name: 'fit', active: true }));
    // predict --adapter writes the projected vectors: unit length, not the model's own
    const plainOut = path.join(tmp, 'plain.tsv');
    const fitOut = path.join(tmp, 'fit.tsv');
    expect((await runCli(['predict', validFile, '--input', 'image', '--output', plainOut])).code).toBe(0);
    expect((await runCli(['predict', validFile, '--input', 'image', '--output', fitOut, '--adapter', 'fit'])).code).toBe(0);
    const vec = (f: string) => fs.readFileSync(f, 'utf8').split('\n')[0].split('\t').map(Number);
    const [a, b] = [vec(plainOut), vec(fitOut)];
    expect(b).toHaveLength(256);
    expect(Math.hypot(...b)).toBeCloseTo(1, 4);
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i])))).toBeGreaterThan(1e-3);
    const del = await runCli(['adapters', 'delete', 'fit']);
    expect(del.stdout).toMatch(/it was active/);
    expect(fs.existsSync(path.join(dataDir, 'index', 'adapter-fit'))).toBe(false);
    const after = JSON.parse((await runCli(['search', '--text', 'cat', '--k', '3', '--json'])).stdout);
    expect(after.hits[0].score).toBeCloseTo(plain.hits[0].score, 5);
  });
});
