import { describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { PERSIST_INTERVAL_MS, runJob, subscribe } from './runner';
import type { JobEvent } from './types';

/** A fake Prisma with just the job calls the runner makes, recording each write and its time. */
function fakeDb() {
  const writes: { at: number; data: Record<string, unknown> }[] = [];
  const lineErrors: unknown[] = [];
  const db = {
    job: {
      create: async () => ({}),
      update: async ({ data }: { data: Record<string, unknown> }) => void writes.push({ at: Date.now(), data }),
    },
    jobLineError: { createMany: async ({ data }: { data: unknown[] }) => void lineErrors.push(...data) },
  };
  return { db: db as unknown as Db, writes, lineErrors };
}

describe('runJob', () => {
  it('emits every progress event but persists at most every 250 ms, and always the final state', async () => {
    const { db, writes, lineErrors } = fakeDb();
    const events: JobEvent[] = [];
    const job = await runJob(db, 'ingest', {}, async (ctx) => {
      for (let i = 1; i <= 60; i++) {
        ctx.progress({ processed: i, total: 60 });
        if (i % 20 === 0) ctx.lineErrors([{ line: i, reason: 'bad' }]);
        await new Promise((r) => setTimeout(r, 10));
      }
      return { result: { ok: true }, message: 'fine' };
    });
    const off = subscribe(job.id, (e) => events.push(e));
    const outcome = await job.done;
    off();
    expect(outcome).toEqual({ result: { ok: true }, message: 'fine' });
    expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThanOrEqual(59);
    expect(events.at(-1)).toEqual({ type: 'done', jobId: job.id, result: { ok: true }, message: 'fine' });
    const progressWrites = writes.filter((w) => 'processed' in w.data);
    // ~600 ms of work: a handful of writes, not 60
    expect(progressWrites.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < progressWrites.length - 1; i++) expect(progressWrites[i].at - progressWrites[i - 1].at).toBeGreaterThanOrEqual(PERSIST_INTERVAL_MS - 5);
    expect(progressWrites.at(-1)?.data).toMatchObject({ processed: 60, total: 60 });
    expect(lineErrors).toHaveLength(3);
    expect(writes.at(-1)?.data).toMatchObject({ status: 'done', message: 'fine', result: '{"ok":true}' });
  });

  it('a handler that throws ends the job failed with the message, keeping the error for the caller', async () => {
    const { db, writes } = fakeDb();
    const job = await runJob(db, 'reindex', {}, async () => {
      throw new Error('boom');
    });
    const outcome = await job.done;
    expect(outcome).toMatchObject({ failed: true, message: 'internal error: boom' });
    expect(writes.at(-1)?.data).toMatchObject({ status: 'failed', message: 'internal error: boom' });
  });
});
