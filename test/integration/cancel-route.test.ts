/**
 * POST /api/jobs/[id]/cancel, called as Next calls it (the route module's POST with a Request and
 * its params), on a real engine: the admin token is checked first, an unknown job is a 404, a job
 * that has ended a 409, and a queued job answers 202 'cancelling' and then never runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST } from '../../app/api/jobs/[id]/cancel/route';
import { resetConfig } from '../../lib/config';
import type { Engine } from '../../lib/engine';
import { getJob, runJob } from '../../lib/jobs';
import { makeTestEnv, type TestEnv } from './engine-helpers';

const TOKEN = 'cancel-route-token-0123456789abcdef';
let t: TestEnv;
let engine: Engine;

beforeAll(async () => {
  t = makeTestEnv('cancel-route');
  engine = await t.open();
  process.env.CLIPDEX_ADMIN_TOKEN = TOKEN;
  resetConfig();
});
afterAll(async () => {
  delete process.env.CLIPDEX_ADMIN_TOKEN;
  resetConfig();
  await t?.cleanup();
});

const cancel = (id: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  POST(new Request(`http://127.0.0.1/api/jobs/${id}/cancel`, { method: 'POST', headers }), { params: Promise.resolve({ id }) });

describe('POST /api/jobs/[id]/cancel', () => {
  it('needs the admin token, 404s an unknown job and 409s one that has ended', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const anon = await cancel(unknown, {});
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe('UNAUTHORIZED');
    expect((await cancel(unknown)).status).toBe(404);
    const done = await runJob(engine.db, 'reindex', {}, async () => ({ result: null }));
    await done.done;
    const ended = await cancel(done.id);
    expect(ended.status).toBe(409);
    expect((await ended.json()).error.message).toMatch(/has already ended \(done\)/);
  });

  it('cancels a queued job: 202 with the job cancelling, and it ends cancelled without running', async () => {
    let release!: () => void;
    const blocker = await runJob(engine.db, 'reindex', {}, async () => {
      await new Promise<void>((r) => (release = r));
      return { result: null };
    });
    let ran = false;
    const queued = await runJob(engine.db, 'ingest', {}, async () => {
      ran = true;
      return { result: null };
    });
    const res = await cancel(queued.id);
    expect(res.status).toBe(202);
    expect((await res.json()).job).toMatchObject({ id: queued.id, status: 'cancelling', cancellable: false });
    release();
    await blocker.done;
    await queued.done;
    expect(ran).toBe(false);
    expect((await getJob(engine.db, queued.id))?.status).toBe('cancelled');
  });
});
