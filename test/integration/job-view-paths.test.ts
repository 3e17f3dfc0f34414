/**
 * A12 leftover: a job's per-line errors name the file they are in, and for a MUGE texts file (or a
 * message like "nothing to evaluate in <file>") that was the server's full path, readable by anyone
 * through GET /api/jobs/:id and the TSV download. Called as Next calls the routes, on a real engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as jobGet } from '../../app/api/jobs/[id]/route';
import { GET as errorsGet } from '../../app/api/jobs/[id]/errors/route';
import { runJob } from '../../lib/jobs';
import type { Engine } from '../../lib/engine';
import { makeTestEnv, type TestEnv } from './engine-helpers';

let t: TestEnv;
let engine: Engine;
let jobId: string;
let secret: string;

beforeAll(async () => {
  t = makeTestEnv('job-view-paths');
  engine = await t.open();
  secret = `${t.dataDir}/uploads/staged-texts.jsonl`;
  const started = await runJob(engine.db, 'ingest', { path: `${t.dataDir}/uploads/corpus.tsv` }, async (ctx) => {
    ctx.lineErrors([
      { line: 3, reason: '"text" is empty', file: secret },
      { line: 4, reason: `caption is empty`, file: 'sub/cat.txt' },
    ]);
    ctx.progress({ errors: 2 });
    return { result: null, message: `nothing to ingest in ${t.dataDir}/uploads/corpus.tsv: 2 lines skipped` };
  });
  await started.done;
  jobId = started.id;
});
afterAll(async () => {
  await t?.cleanup();
});

const ctx = () => ({ params: Promise.resolve({ id: jobId }) });

describe('job views show no server paths', () => {
  it('GET /api/jobs/:id names a texts file by its base name, keeps a path inside the corpus, and cleans the message', async () => {
    const res = await jobGet(new Request(`http://127.0.0.1/api/jobs/${jobId}`), ctx());
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(t.dataDir);
    const { job } = JSON.parse(text);
    expect(job.lineErrors).toEqual([
      { line: 3, reason: '"text" is empty', file: 'staged-texts.jsonl' },
      { line: 4, reason: 'caption is empty', file: 'sub/cat.txt' },
    ]);
    expect(job.message).toBe('nothing to ingest in corpus.tsv: 2 lines skipped');
    expect(job).not.toHaveProperty('params');
  });

  it('the TSV download does the same', async () => {
    const res = await errorsGet(new Request(`http://127.0.0.1/api/jobs/${jobId}/errors`), ctx());
    expect(res.status).toBe(200);
    const tsv = await res.text();
    expect(tsv).not.toContain(t.dataDir);
    expect(tsv.split('\n')).toContain('3\tstaged-texts.jsonl\t"text" is empty');
    expect(tsv.split('\n')).toContain('4\tsub/cat.txt\tcaption is empty');
  });
});
