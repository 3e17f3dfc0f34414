/**
 * The starting process's side of any queued work (an ingest's slices, a re-embed's): queue one
 * BullMQ job per slice, collect each result once (events, plus a sweep every SWEEP_MS for results
 * an event did not bring across a Redis restart), and on a cancel or a slice that failed for good
 * remove the slices no worker has taken and wait for those in hand. Slices finish in any order;
 * `onResult` gets each exactly once.
 */
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { Config } from '../config';
import type { JobContext } from '../jobs';
import { SLICE_ATTEMPTS, openQueue, queueOptions } from './queue';

/** How often pending slices are also read directly (events missed across a Redis restart). */
const SWEEP_MS = 2000;

export interface SliceRun {
  /** Slices that will not report: removed before a worker took them (a cancel, or after a failure), failed or lost. */
  removed: number;
  /** The first slice that failed for good, in words (its retries used up). */
  failure?: string;
  /** Slices that vanished from Redis (a restart without persistence). */
  lost: number;
}

export async function runSlices<D, R>(
  config: Pick<Config, 'redisUrl' | 'queue'>,
  ctx: Pick<JobContext, 'jobId' | 'signal' | 'progress'>,
  jobs: { name: string; data: D }[],
  onResult: (k: number, r: R) => void,
  /** "slice 2 of 5 (lines 9-16)": how a failure names the slice. */
  describe: (k: number) => string,
  /** After the events stream is up and before the slices are queued. */
  onReady?: () => void,
): Promise<SliceRun> {
  const queue = (await openQueue(config)) as unknown as Queue<D, R>;
  const { QueueEvents } = await import('bullmq');
  const events: QueueEvents = new QueueEvents(config.queue, queueOptions(config));
  // Redis away (a restart): BullMQ reconnects by itself; the job's message says why nothing moves.
  const queueDown = (err: Error) => ctx.progress({ message: `waiting for the queue: ${err.message}` });
  queue.on('error', queueDown);
  events.on('error', queueDown);
  try {
    await events.waitUntilReady();
    // BullMQ ids: the same slice is never queued twice; the kind keeps one Job's stages apart (a re-index queues re-embed, then OCR slices).
    const ids = jobs.map((j, k) => `${ctx.jobId}-${j.name}-${k}`);
    const results = new Set<number>();
    let failure: string | undefined;
    const settle = (k: number, r: R) => {
      if (results.has(k)) return;
      results.add(k);
      onResult(k, r);
    };
    let wake: () => void = () => undefined;
    events.on('completed', ({ jobId, returnvalue }) => {
      const k = ids.indexOf(jobId);
      if (k >= 0) {
        const r = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as R | null;
        if (r) settle(k, r); // else the sweep reads it
        wake();
      }
    });
    events.on('failed', () => wake()); // a retry also emits 'failed': the sweep reads the state
    ctx.signal.addEventListener('abort', () => wake(), { once: true });

    onReady?.();
    await queue.addBulk(
      jobs.map((j, k) => ({
        name: j.name,
        data: j.data,
        opts: { jobId: ids[k], attempts: SLICE_ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 86400 } },
      })) as Parameters<Queue<D, R>['addBulk']>[0],
    );
    const removed = new Set<number>();
    const lost = new Set<number>();
    let stopping = false;
    for (;;) {
      const pending = ids.map((_, k) => k).filter((k) => !results.has(k) && !removed.has(k));
      if (!pending.length) break;
      if ((ctx.signal.aborted || failure) && !stopping) {
        stopping = true;
        for (const k of pending) if (await removeIfNotStarted(queue, ids[k])) removed.add(k);
        continue;
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, SWEEP_MS);
        wake = () => (clearTimeout(t), r());
      });
      // The sweep: results an event did not bring (a Redis restart), and slices that failed for good.
      for (const k of ids.map((_, i) => i).filter((i) => !results.has(i) && !removed.has(i))) {
        // The state first, then the job: read the other way round, a slice finishing in between
        // looks 'completed' with the result it did not have yet when it was read.
        const state = await queue.getJobState(ids[k]);
        const job = (await queue.getJob(ids[k])) as Job<D, R> | undefined;
        if (state === 'completed' && job?.returnvalue) settle(k, job.returnvalue);
        else if (state === 'failed' && job) {
          failure ??= `${describe(k)} failed after ${job.attemptsMade} attempts: ${lastLine(job.failedReason)}`;
          removed.add(k);
        } else if (!job) {
          lost.add(k); // Redis lost its data (a restart without persistence), or removed by hand: never coming
          removed.add(k);
        }
      }
    }
    return { removed: removed.size, failure, lost: lost.size };
  } finally {
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
  }
}

/** Prisma's messages quote the calling code over several lines; the reason is the last one. */
const lastLine = (m: string) => m.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? m;

/** Remove a slice no worker has taken yet; false when one has (it finishes and reports). */
async function removeIfNotStarted<D, R>(queue: Queue<D, R>, id: string): Promise<boolean> {
  const job = await queue.getJob(id);
  if (!job) return true;
  const state = await job.getState();
  if (state === 'active' || state === 'completed') return false;
  try {
    await job.remove();
    return true;
  } catch {
    return false; // taken between the two calls
  }
}
