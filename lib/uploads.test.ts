import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveUpload, uploadsDir } from './uploads';

let dataDir: string;
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipdex-uploads-'));
});
afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function listUploads(): Promise<string[]> {
  return fs.readdir(uploadsDir(dataDir)).catch(() => []);
}

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const s of chunks) c.enqueue(new TextEncoder().encode(s));
      c.close();
    },
  });
}

describe('saveUpload', () => {
  it('streams a File to DATA_DIR/uploads under a sanitised name', async () => {
    const file = new File(['a\tb\n', 'c\td\n'], '../../etc/my corpus.tsv');
    const saved = await saveUpload(file, { dataDir, maxBytes: 1024 });
    expect(saved.bytes).toBe(8);
    expect(path.dirname(saved.path)).toBe(uploadsDir(dataDir));
    expect(path.basename(saved.path)).toMatch(/-my_corpus\.tsv$/);
    expect(await fs.readFile(saved.path, 'utf8')).toBe('a\tb\nc\td\n');
  });

  it('refuses a File over the limit and an empty File, storing nothing', async () => {
    await expect(saveUpload(new File(['x'.repeat(11)], 'big.tsv'), { dataDir, maxBytes: 10 })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    await expect(saveUpload(new File([], 'empty.tsv'), { dataDir, maxBytes: 10 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('empty'),
    });
    expect(await listUploads()).toEqual([]);
  });

  it('stops a stream as soon as it passes the limit and leaves no partial file', async () => {
    await expect(
      saveUpload(streamOf(['12345', '67890', 'abc']), { dataDir, maxBytes: 10, fileName: 's.tsv' }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('limit is 10 B') });
    expect(await listUploads()).toEqual([]);
    await expect(saveUpload(streamOf([]), { dataDir, maxBytes: 10 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await listUploads()).toEqual([]);
  });
});
