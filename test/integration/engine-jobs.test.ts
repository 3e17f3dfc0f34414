/**
 * getEngine and jobs: the engine is opened once per process, an ingest job persists progress,
 * per-line errors and its summary, subscribers see queued → progress → done, and jobs left
 * 'running' by a dead process are failed at the next start.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEngine, type Engine } from '../../lib/engine';
import { startIngestJob } from '../../lib/ingest';
import { getJob, getJobLineErrors, listJobs, markInterruptedJobs, subscribe, type JobEvent } from '../../lib/jobs';
import { CORPUS, makeTestEnv } from './engine-helpers';

const t = makeTestEnv('jobs');
let e: Engine;
beforeAll(async () => {
  e = await t.open();
});
afterAll(() => t.cleanup());

describe('engine', () => {
  it('is opened once per process and registers the model', async () => {
    expect(await getEngine()).toBe(e);
    const m = await e.db.model.findUniqueOrThrow({ where: { id: e.model.info.id } });
    expect(m.dim).toBe(e.model.info.dim);
  });
});

describe('jobs', () => {
  it('an ingest job persists progress, line errors and the summary; events arrive in order', async () => {
    const events: JobEvent[] = [];
    const job = await startIngestJob(e, { path: path.join(CORPUS, 'pairs.tsv'), dataset: 'pairs', batchSize: 2 });
    const off = subscribe(job.id, (ev) => events.push(ev));
    const outcome = await job.done;
    off();
    expect('error' in outcome).toBe(false);
    const types = events.map((x) => x.type);
    expect(types.at(-1)).toBe('done');
    expect(types.filter((x) => x === 'progress').length).toBeGreaterThan(1);
    const row = await getJob(e.db, job.id);
    expect(row).toMatchObject({ kind: 'ingest', status: 'done', processed: 11, total: 11, errors: 8, pid: process.pid });
    expect(row?.result).toMatchObject({ dataset: 'pairs', images: 3, texts: 3, errorCount: 8 });
    expect(row?.datasetId).toBe((await e.db.dataset.findUniqueOrThrow({ where: { name: 'pairs' } })).id);
    const lines = await getJobLineErrors(e.db, job.id);
    expect(lines.map((l) => l.line)).toEqual([2, 3, 4, 5, 6, 9, 10, 11]);
    expect((await listJobs(e.db, { kind: 'ingest' }))[0].id).toBe(job.id);
  });

  it('a job that cannot read its input is refused before a row exists', async () => {
    const before = await e.db.job.count();
    await expect(startIngestJob(e, { path: '/nonexistent/x.tsv', dataset: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await e.db.job.count()).toBe(before);
  });

  it('an ingest where nothing could be ingested ends failed', async () => {
    const job = await startIngestJob(e, { path: path.join(CORPUS, 'texts.txt'), dataset: 'as-images', format: 'images' });
    await job.done;
    const row = await getJob(e.db, job.id);
    expect(row?.status).toBe('failed');
    expect(row?.message).toMatch(/nothing could be ingested/);
  });

  it('jobs left running by a dead process are marked failed at start', async () => {
    await e.db.job.create({ data: { id: 'dead-1', kind: 'ingest', status: 'running', pid: 2 ** 22 + 17 } });
    await e.db.job.create({ data: { id: 'alive-1', kind: 'ingest', status: 'running', pid: process.ppid } });
    expect(await markInterruptedJobs(e.db)).toBe(1);
    expect(await getJob(e.db, 'dead-1')).toMatchObject({ status: 'failed', message: 'interrupted: the process stopped; run the ingest again to finish it' });
    expect((await getJob(e.db, 'alive-1'))?.status).toBe('running');
  });
});
