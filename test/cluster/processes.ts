/**
 * Processes of a local cluster for the cluster test tier and bench/cluster.ts: `clipdex worker`
 * and search nodes (search-node.ts) as real child processes, each with its own data dir and one
 * shared blob dir, and helpers to wait for what they print, kill them and start them again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface Proc {
  name: string;
  child: ChildProcess;
  out: string;
  /** Resolves with the first stdout+stderr match of `re` from now on or already printed after `from`. */
  waitFor(re: RegExp, ms?: number, from?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

export function startProc(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = {
    name,
    child,
    out: '',
    waitFor(re, ms = 60_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = p.out.slice(from).match(re);
          if (m) {
            clearTimeout(t);
            child.stdout!.off('data', check);
            child.stderr!.off('data', check);
            resolve(m);
          }
        };
        const t = setTimeout(() => reject(new Error(`${name}: no ${re} within ${ms} ms; output:\n${p.out.slice(-3000)}`)), ms);
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        check();
      });
    },
    exited: new Promise((r) => child.on('close', (code) => r(code))),
  };
  child.stdout!.on('data', (d) => (p.out += d));
  child.stderr!.on('data', (d) => (p.out += d));
  return p;
}

export const startWorker = (name: string, env: Record<string, string>) => startProc(name, [path.join(ROOT, 'bin', 'clipdex.mjs'), 'worker'], env);

export async function startNode(name: string, env: Record<string, string>): Promise<Proc & { port: number }> {
  const p = startProc(name, ['--import', 'tsx', path.join(ROOT, 'test', 'cluster', 'search-node.ts')], env);
  const m = await p.waitFor(/ready (\d+)/, 120_000);
  return Object.assign(p, { port: Number(m[1]) });
}

export async function getJson<T>(port: number, pathAndQuery: string): Promise<T> {
  const url = `http://127.0.0.1:${port}${pathAndQuery}`;
  // One retry on a reset connection: the bench's 25 ms polls met an intermittent ECONNRESET from the
  // node (2 of 5 lag runs at load 7-13; the node had not exited; cause not found).
  const r = await fetch(url).catch((err: Error & { cause?: { code?: string } }) => {
    if (err.cause?.code !== 'ECONNRESET') throw err;
    return fetch(url);
  });
  if (!r.ok) throw new Error(`GET ${pathAndQuery}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

export async function kill(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  await p.exited;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Remove a test's or a bench's BullMQ queue and everything in it (best effort). */
export async function dropQueue(redisUrl: string, name: string): Promise<void> {
  const { Queue } = await import('bullmq');
  const q = new Queue(name, { connection: { url: redisUrl } });
  await q.obliterate({ force: true }).catch(() => undefined);
  await q.close();
}
