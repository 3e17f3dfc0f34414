/**
 * The job runner on a real database: SQLite (migrated in a temp dir), and PostgreSQL too when
 * CLIPDEX_TEST_POSTGRES_URL is set: progress persistence, failures, and cancellation (in this
 * process, through the row as another process would, and of a queued job). The Prisma client is
 * the real one; a Proxy only records when job rows are written, so the persistence interval can
 * be checked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDbs, getDb, migrateDatabase, type Db } from '../db';
import { isAppError } from '../errors';
import { CANCEL_POLL_MS, JOB_STALE_MS, PERSIST_INTERVAL_MS, cancelJob, jobProcessMayRun, markInterruptedJobs, runJob, subscribe } from './runner';
import { getJob, getJobLineErrors } from './queries';
import type { JobContext, JobEvent } from './types';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-jobs-'));
const targets = [
  { name: 'SQLite', url: `file:${path.join(dir, 'jobs.db')}` },
  ...(process.env.CLIPDEX_TEST_POSTGRES_URL ? [{ name: 'PostgreSQL', url: process.env.CLIPDEX_TEST_POSTGRES_URL }] : []),
];
afterAll(async () => {
  await closeDbs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (cond: () => boolean, ms = 10_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await sleep(5);
  }
};

/** A handler that reports progress every 10 ms until its signal aborts (or `max` steps). */
function looping(max = 10_000) {
  const seen = { steps: 0, started: false };
  const handler = async (ctx: JobContext) => {
    seen.started = true;
    while (!ctx.signal.aborted && seen.steps < max) {
      seen.steps++;
      ctx.progress({ processed: seen.steps, total: max });
      await sleep(10);
    }
    return { result: { steps: seen.steps }, message: ctx.signal.aborted ? `stopped after ${seen.steps}` : 'all done' };
  };
  return { seen, handler };
}

describe.each(targets)('jobs on $name', ({ url }) => {
  let db: Db;
  const jobWrites: { at: number; data: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    await migrateDatabase(url);
    const real = getDb(url);
    const job = new Proxy(real.job, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop !== 'update' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
        return (args: { data: Record<string, unknown> }) => {
          jobWrites.push({ at: Date.now(), data: args.data });
          return v.call(target, args);
        };
      },
    });
    db = new Proxy(real, { get: (t, p, r) => (p === 'job' ? job : Reflect.get(t, p, r)) }) as Db;
  });

  describe('runJob', () => {
    it('emits every progress event but persists at most every 250 ms, and always the final state', async () => {
      const events: JobEvent[] = [];
      const t0 = Date.now();
      const job = await runJob(db, 'ingest', {}, async (ctx) => {
        for (let i = 1; i <= 60; i++) {
          ctx.progress({ processed: i, total: 60 });
          if (i % 20 === 0) ctx.lineErrors([{ line: i, reason: 'bad' }]);
          await sleep(10);
        }
        return { result: { ok: true }, message: 'fine' };
      });
      const off = subscribe(job.id, (e) => events.push(e));
      const outcome = await job.done;
      off();
      const elapsed = Date.now() - t0;
      expect(outcome).toMatchObject({ result: { ok: true }, message: 'fine', cancelled: false });
      expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThanOrEqual(59);
      expect(events.at(-1)).toEqual({ type: 'done', jobId: job.id, result: { ok: true }, message: 'fine' });
      const progressWrites = jobWrites.filter((w) => 'processed' in w.data && w.at >= t0);
      // At least 600 ms of work: two or more timed writes plus the final one, never one per event.
      expect(progressWrites.length).toBeGreaterThanOrEqual(3);
      expect(progressWrites.length).toBeLessThanOrEqual(Math.ceil(elapsed / PERSIST_INTERVAL_MS) + 2);
      // Every gap but the last (the final write is forced at the end) respects the interval.
      for (let i = 1; i < progressWrites.length - 1; i++) expect(progressWrites[i].at - progressWrites[i - 1].at).toBeGreaterThanOrEqual(PERSIST_INTERVAL_MS - 5);
      const row = await getJob(db, job.id);
      expect(row).toMatchObject({ status: 'done', processed: 60, total: 60, errors: 0, message: 'fine', result: { ok: true } });
      expect((await getJobLineErrors(db, job.id)).map((e) => e.line)).toEqual([20, 40, 60]);
    });

    it('a handler that throws ends the job failed with the message, keeping the error for the caller', async () => {
      const job = await runJob(db, 'reindex', {}, async () => {
        throw new Error('boom');
      });
      const outcome = await job.done;
      expect(outcome).toMatchObject({ failed: true, message: 'internal error: boom' });
      expect(await getJob(db, job.id)).toMatchObject({ status: 'failed', message: 'internal error: boom' });
    });
  });

  describe('cancelJob', () => {
    it('aborts a running job in this process: it ends cancelled, keeping its result and message', async () => {
      const { seen, handler } = looping();
      const job = await runJob(db, 'ingest', {}, handler);
      const events: JobEvent[] = [];
      const off = subscribe(job.id, (e) => events.push(e));
      await until(() => seen.steps >= 3);
      // The abort is immediate in this process: the job may already have ended by the time cancelJob returns.
      const now = await cancelJob(db, job.id);
      expect(['cancelling', 'cancelled']).toContain(now.status);
      const outcome = await job.done;
      off();
      expect(outcome).toMatchObject({ cancelled: true, result: { steps: seen.steps } });
      expect(seen.steps).toBeLessThan(100); // it stopped at once, far from the 10 000 steps
      expect(await getJob(db, job.id)).toMatchObject({ status: 'cancelled', message: `stopped after ${seen.steps}`, result: { steps: seen.steps } });
      expect(events.at(-1)).toEqual({ type: 'cancelled', jobId: job.id, message: `stopped after ${seen.steps}` });
    });

    it('honours a cancel written to the row by another process within the poll interval', async () => {
      const { seen, handler } = looping();
      const job = await runJob(db, 'ingest', {}, handler);
      await until(() => seen.steps >= 3);
      // What cancelJob does in a process that does not run the job: only the row changes.
      await getDb(url).job.update({ where: { id: job.id }, data: { status: 'cancelling' } });
      const asked = Date.now();
      const outcome = await job.done;
      expect(Date.now() - asked).toBeLessThan(CANCEL_POLL_MS * 4);
      expect(outcome).toMatchObject({ cancelled: true });
      expect((await getJob(db, job.id))?.status).toBe('cancelled');
    });

    it('a queued job cancelled before its turn never runs; the job ahead of it is untouched', async () => {
      const first = looping(30);
      const second = looping(30);
      const a = await runJob(db, 'reindex', {}, first.handler);
      const b = await runJob(db, 'evaluate', {}, second.handler);
      expect((await getJob(db, b.id))?.status).toBe('queued');
      expect((await cancelJob(db, b.id)).status).toBe('cancelling');
      expect(await a.done).toMatchObject({ cancelled: false, result: { steps: 30 } });
      expect(await b.done).toMatchObject({ failed: true, cancelled: true, message: 'cancelled before it started' });
      expect(second.seen.started).toBe(false);
      expect(await getJob(db, b.id)).toMatchObject({ status: 'cancelled', startedAt: null });
      expect(await getJob(db, a.id)).toMatchObject({ status: 'done' });
    });

    it('refuses unknown and finished jobs, and running jobs of kinds that cannot stop part-way', async () => {
      const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e) => (isAppError(e) ? e.code : String(e)));
      expect(await codeOf(cancelJob(db, 'no-such-job'))).toBe('NOT_FOUND');
      const done = await runJob(db, 'ingest', {}, async () => ({ result: null }));
      await done.done;
      expect(await codeOf(cancelJob(db, done.id))).toBe('CONFLICT');
      const { seen, handler } = looping(60);
      const evaluate = await runJob(db, 'evaluate', {}, handler);
      await until(() => seen.steps >= 1);
      await expect(cancelJob(db, evaluate.id)).rejects.toThrow(/a running evaluate job cannot be stopped part-way; only ingest, reindex, train jobs can/);
      expect(await evaluate.done).toMatchObject({ cancelled: false, result: { steps: 60 } });
    });

    it('a job of a kind that cannot stop part-way, started between the cancel\'s read and its abort, ends done (review 11)', async () => {
      // The job ahead holds the queue until cancelJob has read the evaluate job's row as 'queued'.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const ahead = await runJob(db, 'reindex', {}, async () => {
        await gate;
        return { result: null };
      });
      let started = false;
      const job = await runJob(db, 'evaluate', {}, async (ctx) => {
        started = true;
        // An evaluate never looks at its signal; waiting for the abort pins the race: it lands mid-run.
        await until(() => ctx.signal.aborted);
        return { result: { finished: true } };
      });
      // cancelJob's read returns 'queued', but only once the job has moved to running meanwhile.
      const racing = new Proxy(db, {
        get(t, p, r) {
          const job0 = Reflect.get(t, p, r);
          if (p !== 'job') return job0;
          return new Proxy(job0, {
            get(jt, jp, jr) {
              const v = Reflect.get(jt, jp, jr);
              if (jp !== 'findUnique') return v;
              return async (args: { where: { id: string } }) => {
                const row = await v(args);
                if (args.where.id === job.id && row?.status === 'queued' && !started) {
                  release();
                  await until(() => started);
                }
                return row;
              };
            },
          });
        },
      }) as Db;
      await cancelJob(racing, job.id);
      expect(await job.done).toMatchObject({ cancelled: false, result: { finished: true } });
      expect(await getJob(db, job.id)).toMatchObject({ status: 'done', result: { finished: true } });
      expect(await ahead.done).toMatchObject({ cancelled: false });
    });

    it('a cancel left pending by a process that died ends cancelled at the next start', async () => {
      // A shared PostgreSQL database keeps rows from earlier runs: a fresh id, and at least this one marked.
      const id = `dead-cancelling-${Date.now()}`;
      await db.job.create({ data: { id, kind: 'ingest', status: 'cancelling', pid: 2 ** 22 + 19 } });
      expect(await markInterruptedJobs(db)).toBeGreaterThanOrEqual(1);
      expect(await getJob(db, id)).toMatchObject({ status: 'cancelled', message: 'interrupted: the process stopped; run the ingest again to finish it' });
    });

    it("another machine's running job is judged by its beat, not its pid (distributed mode); this machine's dead one is marked", async () => {
      const stamp = Date.now();
      const [theirs, silent, ours] = [`other-host-${stamp}`, `silent-host-${stamp}`, `this-host-${stamp}`];
      // A pid that is not alive here: on its own machine it may well be.
      const pid = 2 ** 22 + 23;
      await db.job.create({ data: { id: theirs, kind: 'ingest', status: 'running', pid, host: `not-${os.hostname()}`, heartbeatAt: new Date() } });
      // A machine that stopped beating longer ago than JOB_STALE_MS is gone.
      await db.job.create({ data: { id: silent, kind: 'ingest', status: 'running', pid, host: `gone-${os.hostname()}`, heartbeatAt: new Date(Date.now() - JOB_STALE_MS - 1000) } });
      await db.job.create({ data: { id: ours, kind: 'ingest', status: 'running', pid, host: os.hostname() } });
      await markInterruptedJobs(db);
      expect(await getJob(db, theirs)).toMatchObject({ status: 'running', host: `not-${os.hostname()}` });
      expect(await getJob(db, silent)).toMatchObject({ status: 'failed' });
      expect(await getJob(db, ours)).toMatchObject({ status: 'failed' });
      // A cancel of the other machine's job asks its process (the row), rather than failing it from here.
      await cancelJob(db, theirs);
      expect(await getJob(db, theirs)).toMatchObject({ status: 'cancelling' });
      // Jobs this process starts record this machine.
      const job = await runJob(db, 'ingest', {}, async () => ({ result: {}, cancelled: false }));
      await job.done;
      expect(await getJob(db, job.id)).toMatchObject({ host: os.hostname(), pid: process.pid, heartbeatAt: expect.any(Date) });
      await db.job.deleteMany({ where: { id: { in: [theirs, silent, ours] } } });
    });

    it('a job beats while it runs, and a stale job of another machine that happens to have our pid is interrupted on cancel', async () => {
      process.env.CLIPDEX_TEST_JOB_HEARTBEAT_MS = '40';
      try {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const job = await runJob(db, 'ingest', {}, async () => {
          await gate;
          return { result: {}, cancelled: false };
        });
        const first = (await getJob(db, job.id))!.heartbeatAt!.getTime();
        await sleep(400); // a few beats
        const later = (await getJob(db, job.id))!.heartbeatAt!.getTime();
        expect(later).toBeGreaterThan(first);
        release();
        await job.done;
      } finally {
        delete process.env.CLIPDEX_TEST_JOB_HEARTBEAT_MS;
      }
      const id = `same-pid-other-host-${Date.now()}`;
      await db.job.create({ data: { id, kind: 'ingest', status: 'running', pid: process.pid, host: `gone-${os.hostname()}`, heartbeatAt: new Date(Date.now() - JOB_STALE_MS - 1000) } });
      await cancelJob(db, id);
      expect(await getJob(db, id)).toMatchObject({ status: 'failed', message: expect.stringMatching(/interrupted/) });
      await db.job.deleteMany({ where: { id } });
    });
  });
});

describe('a job on a database that can no longer be written (SQLite)', () => {
  it("reports its own failure, not the failure to record it (a full disk, probe D2)", async () => {
    const url = `file:${path.join(dir, 'stuck.db')}`;
    await migrateDatabase(url);
    const db = getDb(url);
    const events: JobEvent[] = [];
    const { id, done } = await runJob(db, 'ingest', {}, async () => {
      await db.$executeRawUnsafe('PRAGMA query_only = ON'); // every write from here on fails
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    const off = subscribe(id, (e) => events.push(e));
    try {
      const outcome = await done;
      expect(outcome).toMatchObject({ failed: true, message: expect.stringMatching(/^the disk that holds clipdex's data is full \(ENOSPC/) });
      expect(events.at(-1)).toMatchObject({ type: 'failed', message: expect.stringMatching(/disk .* is full/) });
    } finally {
      off();
      await db.$executeRawUnsafe('PRAGMA query_only = OFF');
    }
    // The row could not be written: it still says running, but it is over (deletes are not
    // refused because of it), and a later start marks it interrupted.
    const row = await getJob(db, id);
    expect(row).toMatchObject({ status: 'running', pid: process.pid });
    expect(jobProcessMayRun(row!)).toBe(false);
    expect(await markInterruptedJobs(db)).toBe(1);
    expect(await getJob(db, id)).toMatchObject({ status: 'failed' });
  });
});
