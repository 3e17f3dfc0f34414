/**
 * Helpers for the engine integration tests: a fresh data dir per test file (real SQLite through
 * migrations, real hnswlib files, real sharp), the real model from models/ (mini-clip when it is
 * there, else the tiny Transformers.js-layout fixture), and generated corpora of distinct images.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { resetConfig } from '../../lib/config';
import { closeEngine, getEngine, type Engine } from '../../lib/engine';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CORPUS = path.join(ROOT, 'test', 'fixtures', 'corpus');
const FIXTURE_MODEL = path.join(ROOT, 'models', 'fixtures', 'hf-input-ids-only');

/** The model the tests run: CLIPDEX_TEST_MODEL_DIR, else models/mini-clip when complete, else the fixture. */
export function testModelDir(): string {
  if (process.env.CLIPDEX_TEST_MODEL_DIR) return path.resolve(process.env.CLIPDEX_TEST_MODEL_DIR);
  const mini = path.join(ROOT, 'models', 'mini-clip');
  const complete = ['parity.json', 'onnx/text_model.onnx', 'onnx/vision_model.onnx'].every((f) => fs.existsSync(path.join(mini, f)));
  return complete ? mini : FIXTURE_MODEL;
}

export interface TestEnv {
  dataDir: string;
  env: Record<string, string>;
  open(): Promise<Engine>;
  /** Close the engine (saving indexes) and forget it, as a process exit would. */
  close(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * A temp CLIPDEX_DATA_DIR with the fixtures' limits (8 KB lines, 1 MP images), set in
 * process.env for in-process engines and returned in `env` for child processes.
 */
export function makeTestEnv(prefix: string): TestEnv {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `clipdex-${prefix}-`));
  const env = {
    CLIPDEX_DATA_DIR: dataDir,
    CLIPDEX_MODEL_DIR: testModelDir(),
    CLIPDEX_MAX_LINE_BYTES: '8192',
    CLIPDEX_MAX_IMAGE_PIXELS: '1000000',
    CLIPDEX_THREADS: '1',
  };
  const apply = () => {
    delete process.env.DATABASE_URL;
    Object.assign(process.env, env);
    resetConfig();
  };
  return {
    dataDir,
    env,
    async open() {
      apply();
      return getEngine({ log: () => undefined });
    },
    async close() {
      await closeEngine();
    },
    async cleanup() {
      await closeEngine();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `n` distinct small PNGs (a colour and a stripe per index), deterministic. */
export async function makeImages(n: number, size = 16): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const px = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = (y * size + x) * 3;
        const stripe = (x + y * (i % 5)) % (2 + (i % 7)) === 0;
        px[o] = (i * 37 + (stripe ? 120 : 0)) & 255;
        px[o + 1] = (i * 91 + x * 9) & 255;
        px[o + 2] = (i * 53 + y * 13) & 255;
      }
    }
    out.push(await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
  }
  return out;
}

/** A pairs TSV of `n` distinct images captioned "caption <i>" in `dir`. */
export async function makePairsFile(dir: string, n: number, name = 'gen.tsv'): Promise<string> {
  const imgs = await makeImages(n);
  const file = path.join(dir, name);
  fs.writeFileSync(file, imgs.map((b, i) => `caption ${i}\t${b.toString('base64')}\n`).join(''));
  return file;
}
