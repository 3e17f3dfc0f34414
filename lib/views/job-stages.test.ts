import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '../../messages/en.json';
import { BACKFILL_STAGE, INGEST_STAGE, OCR_STAGE } from '../ingest/ocr-stage-job';
import { JOB_STAGE_KEYS } from './job-stages';

describe('job stages', () => {
  it('maps every stage lib/ingest announces, and English says it as lib/ingest does', () => {
    const jobs = readFileSync(path.join(__dirname, '../ingest/jobs.ts'), 'utf8');
    // The re-index job's stage messages, as written in lib/ingest/jobs.ts (`embedding ${p.kind}s`: image, text).
    const fromJobs = [...jobs.matchAll(/message: ['`]([a-z][^'`$]*(?:\$\{p\.kind\}[^'`]*)?)['`]/g)]
      .map((m) => m[1])
      .flatMap((m) => (m.includes('${p.kind}') ? ['image', 'text'].map((k) => m.replace('${p.kind}', k)) : [m]));
    expect(fromJobs.length).toBeGreaterThanOrEqual(4);
    for (const stage of [INGEST_STAGE, OCR_STAGE, BACKFILL_STAGE, ...fromJobs]) {
      const key = JOB_STAGE_KEYS[stage];
      expect(key, stage).toBeDefined();
      expect((en.Job as Record<string, string>)[key]).toBe(stage);
    }
  });
});
