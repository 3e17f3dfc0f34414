/**
 * Review finding 10: a refused upload says "Nothing was stored", so every staged file the request
 * named must be gone, including those refused before they were claimed (a texts file sent with
 * no corpus file; a corpus id that is not waiting). Real staged files on disk; startUploadIngest
 * reads only the engine's config before these refusals, so no model is loaded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '@/lib/engine';
import { stagedDir, stageUpload } from '@/lib/staged-uploads';
import { startUploadIngest } from '@/app/_lib/upload';

let dataDir: string;
let engine: Engine;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-upload-refusal-'));
  engine = { config: { dataDir, maxLineBytes: 1 << 20 } } as unknown as Engine;
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const stage = (name: string) => stageUpload(Readable.from([Buffer.from('{"text_id": 1, "text": "a cat"}\n')]), { dataDir, maxBytes: 1 << 20, fileName: name });
const stagedFiles = () => fs.readdirSync(stagedDir(dataDir));

describe('startUploadIngest refusals remove what was staged', () => {
  it('a texts file sent without a corpus file', async () => {
    const texts = await stage('texts.jsonl');
    expect(stagedFiles()).toHaveLength(1);
    const err = (await startUploadIngest(engine, { dataset: 'd', format: 'muge', file: '', texts: texts.id }).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('Nothing was stored');
    expect(stagedFiles()).toEqual([]);
  });

  it('a corpus id that is not waiting, with a staged texts file', async () => {
    const texts = await stage('texts.jsonl');
    const err = (await startUploadIngest(engine, { dataset: 'd', format: 'muge', file: '00000000-0000-4000-8000-000000000000', texts: texts.id }).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('NOT_FOUND');
    expect(stagedFiles()).toEqual([]);
  });
});
