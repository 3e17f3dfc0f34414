/**
 * The real `clipdex` CLI in a child process (bin/clipdex.mjs, as a user runs it), for the
 * integration tests: its output collected, its exit awaited, and a wait for a line it prints.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'clipdex.mjs');

export interface CliRun {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `clipdex ARGS` in ROOT with process.env plus `env`. `done` settles when the process
 * closes; `printed(text)` resolves once stdout holds `text` and rejects if the process ends first.
 */
export function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => stdout.includes(text) && resolve();
      child.stdout.on('data', check);
      child.on('close', () => reject(new Error(`the process ended before printing "${text}":\n${stdout}\n${stderr}`)));
      check();
    });
  return { child, done, printed };
}

export interface CliStats {
  database: { images: number; texts: number; links: number; imageVectors: number; textVectors: number };
  index: { image: { count: number }; text: { count: number } };
  jobs: { status: string; message: string | null }[];
}

/** `clipdex stats --json` against the data dir in `env`, which must exit 0. */
export async function cliStats(env: Record<string, string>): Promise<CliStats> {
  const r = await startCli(['stats', '--json'], env).done;
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as CliStats;
}

/** The database holds `n` images, texts and links, each with its vector, and both indexes hold `n`. */
export async function expectAllStored(env: Record<string, string>, n: number): Promise<void> {
  const c = await cliStats(env);
  expect(c.database).toMatchObject({ images: n, texts: n, links: n, imageVectors: n, textVectors: n });
  expect(c.index.image.count).toBe(n);
  expect(c.index.text.count).toBe(n);
}

/** The lines of a caption<TAB>base64-image TSV, parsed here (not by lib/): one per non-blank line. */
export function readPairsTsv(file: string): { text: string; image: Buffer }[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [text, b64] = l.replace(/\r$/, '').split('\t');
      return { text: text.trim(), image: Buffer.from(b64, 'base64') };
    });
}
