/**
 * The 'evaluate' job on a real engine (temp SQLite, real model, real hnswlib): an uploaded file is
 * evaluated without being ingested and deleted afterwards, skipped lines become the job's line
 * errors, an ingested dataset evaluates from its stored vectors, and past runs are listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../lib/engine';
import { startIngestJob } from '../../lib/ingest';
import { getJob, getJobLineErrors } from '../../lib/jobs';
import { isEvaluateJobResult, listEvaluations, startEvaluateJob, type EvaluateJobResult } from '../../lib/eval';
import { CORPUS, makePairsFile, makeTestEnv, type TestEnv } from './engine-helpers';

let t: TestEnv;
let engine: Engine;
let work: string;

beforeAll(async () => {
  t = makeTestEnv('eval-job');
  engine = await t.open();
  work = path.join(t.dataDir, 'work');
  fs.mkdirSync(work, { recursive: true });
});
afterAll(async () => t?.cleanup());

async function finished(id: string) {
  const job = await getJob(engine.db, id);
  expect(job).not.toBeNull();
  return job!;
}

describe('evaluate job', () => {
  let fileRun: EvaluateJobResult;

  it('evaluates an uploaded file without ingesting it and deletes the upload', async () => {
    const file = await makePairsFile(work, 30, 'upload.tsv');
    const started = await startEvaluateJob(engine, { path: file, label: 'upload.tsv', removeFiles: true });
    await started.done;
    const job = await finished(started.id);
    expect(job.status).toBe('done');
    expect(job.kind).toBe('evaluate');
    expect(isEvaluateJobResult(job.result)).toBe(true);
    fileRun = job.result as EvaluateJobResult;
    expect(fileRun).toMatchObject({ label: 'upload.tsv', source: 'file', skipped: 0 });
    expect(fileRun.evaluation).toMatchObject({ images: 30, texts: 30 });
    expect(fileRun.evaluation.ann?.m).toBe(engine.config.hnsw.m);
    expect(job.message).toMatch(/^mean recall \d+\.\d\d \(30 images, 30 texts\)$/);
    expect(fs.existsSync(file)).toBe(false);
    // nothing was ingested
    expect(await engine.db.image.count()).toBe(0);
  });

  it('records skipped lines as the job’s line errors', async () => {
    const copy = path.join(work, 'pairs.tsv');
    fs.copyFileSync(path.join(CORPUS, 'pairs.tsv'), copy);
    const started = await startEvaluateJob(engine, { path: copy, label: 'pairs.tsv' });
    await started.done;
    const job = await finished(started.id);
    expect(job.status).toBe('done');
    const errs = await getJobLineErrors(engine.db, started.id);
    expect(job.errors).toBe(errs.length);
    expect(errs.map((e) => e.line)).toEqual(expect.arrayContaining([2, 3, 4, 5, 6]));
    expect(errs.find((e) => e.line === 2)?.reason).toMatch(/not valid base64/);
    // without removeFiles the file stays
    expect(fs.existsSync(copy)).toBe(true);
  });

  it('evaluates an ingested dataset from its stored vectors, like the file', async () => {
    const file = await makePairsFile(work, 30, 'ingest.tsv');
    const ingest = await startIngestJob(engine, { path: file, dataset: 'gen' });
    await ingest.done;
    const started = await startEvaluateJob(engine, { dataset: 'gen' });
    await started.done;
    const job = await finished(started.id);
    expect(job.status).toBe('done');
    const run = job.result as EvaluateJobResult;
    expect(run).toMatchObject({ label: 'gen', source: 'dataset' });
    expect(run.evaluation.images).toBe(30);
    expect(run.evaluation.texts).toBe(30);
    // same images and captions as the uploaded file: the same recall (up to float noise between batch sizes)
    for (const dir of ['text_to_image', 'image_to_text'] as const) {
      for (const k of ['r1', 'r5', 'r10'] as const) expect(Math.abs(run.evaluation[dir]![k] - fileRun.evaluation[dir]![k])).toBeLessThanOrEqual(100 / 30 + 0.01);
    }
  });

  it('fails with a clear message for an unknown dataset, and lists every run newest first', async () => {
    const started = await startEvaluateJob(engine, { dataset: 'nope' });
    await started.done;
    const job = await finished(started.id);
    expect(job.status).toBe('failed');
    expect(job.message).toBe('no dataset named "nope" (datasets: gen)');
    const runs = await listEvaluations(engine);
    expect(runs).toHaveLength(4);
    expect(runs[0].status).toBe('failed');
    expect(runs.map((r) => r.result?.label ?? null)).toEqual([null, 'gen', 'pairs.tsv', 'upload.tsv']);
    await expect(startEvaluateJob(engine, {})).rejects.toThrow(/one of the two/);
  });

  it('takes the protocol: easynlp on a file, and a clear failure for a dataset under a reference protocol', async () => {
    const file = await makePairsFile(work, 30, 'easynlp.tsv');
    const started = await startEvaluateJob(engine, { path: file, label: 'easynlp.tsv', protocol: 'easynlp' });
    await started.done;
    const job = await finished(started.id);
    expect(job.status).toBe('done');
    const run = job.result as EvaluateJobResult;
    expect(run.evaluation).toMatchObject({ protocol: 'easynlp', image_to_text: null, images: 30 });
    expect(run.evaluation.mean_recall).toBe(run.evaluation.text_to_image.mean);
    expect(job.message).toMatch(/^mean recall \d+\.\d\d \(easynlp\) \(30 images, 30 texts\)$/);
    const ds = await startEvaluateJob(engine, { dataset: 'whatever', protocol: 'chinese-clip' });
    await ds.done;
    const failed = await finished(ds.id);
    expect(failed.status).toBe('failed');
    expect(failed.message).toMatch(/--protocol chinese-clip needs the validation file itself/);
  });
});
