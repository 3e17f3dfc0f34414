/** Spawn bench/search/worker.ts in a fresh Node process and return its RESULT line. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Job } from './worker';

const WORKER = path.join(import.meta.dirname, 'worker.ts');

export function runWorker<T>(job: Job): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', WORKER, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) return reject(new Error(`worker ${job.mode} exited with ${code}: ${out.slice(-2000)}`));
      resolve(JSON.parse(line.slice(7)) as T);
    });
  });
}
