import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stageMultipart } from './multipart-staging';
import { claimStagedUpload, discardStagedUpload, stagedDir, stageUpload, sweepStagedUploads } from './staged-uploads';
import { uploadsDir } from './uploads';

let dataDir: string;
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipdex-staged-'));
});
afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const ls = (dir: string) => fs.readdir(dir).catch(() => [] as string[]);

function webStream(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const s of chunks) c.enqueue(typeof s === 'string' ? new TextEncoder().encode(s) : s);
      c.close();
    },
  });
}

/** An endless body: the limit must stop it, since it never ends by itself. */
function endless(chunk = 64 * 1024): Readable {
  const buf = Buffer.alloc(chunk, 0x61);
  return new Readable({
    read() {
      this.push(buf);
    },
  });
}

describe('stageUpload', () => {
  it('streams a body to a staged file and claims it into uploads/ once', async () => {
    const s = await stageUpload(webStream(['a\tb\n', 'c\td\n']), { dataDir, maxBytes: 100, fileName: 'C:\\docs\\my corpus.tsv' });
    expect(s).toMatchObject({ bytes: 8, name: 'my_corpus.tsv' });
    expect(await ls(stagedDir(dataDir))).toEqual([`${s.id}.my_corpus.tsv`]);
    const c = await claimStagedUpload(dataDir, s.id);
    expect(path.dirname(c.path)).toBe(uploadsDir(dataDir));
    expect(await fs.readFile(c.path, 'utf8')).toBe('a\tb\nc\td\n');
    expect(await ls(stagedDir(dataDir))).toEqual([]);
    await expect(claimStagedUpload(dataDir, s.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stops an endless body at the limit with a 413 message, and leaves nothing behind', async () => {
    const err = await stageUpload(endless(), { dataDir, maxBytes: 1024 * 1024, fileName: 'big.tsv' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((err as Error).message).toContain('the file “big.tsv” is more than 1.0 MiB; the limit is 1.0 MiB (CLIPDEX_MAX_UPLOAD_BYTES)');
    expect(await ls(stagedDir(dataDir))).toEqual([]);
  });

  it('refuses a declared size over the limit without reading, and an empty body', async () => {
    await expect(stageUpload(endless(), { dataDir, maxBytes: 10, declaredBytes: 11 })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(stageUpload(webStream([]), { dataDir, maxBytes: 10, fileName: 'e.tsv' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('“e.tsv” is empty') });
    await expect(stageUpload(null, { dataDir, maxBytes: 10 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await ls(stagedDir(dataDir))).toEqual([]);
  });

  it('claims only well-formed ids, so a path can never be named', async () => {
    for (const bad of ['../../etc/passwd', '', 'x', null, `${'0'.repeat(8)}-0000-0000-0000-00000000000/`]) {
      await expect(claimStagedUpload(dataDir, bad)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    await expect(claimStagedUpload(dataDir, '01234567-89ab-cdef-0123-456789abcdef')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a file named "part" is not mistaken for a partial upload', async () => {
    const s = await stageUpload(webStream(['x']), { dataDir, maxBytes: 10, fileName: 'part' });
    expect((await claimStagedUpload(dataDir, s.id)).name).toBe('part');
  });

  it('discards on request; the sweep deletes only what was not written to for the TTL', async () => {
    const a = await stageUpload(webStream(['aaa']), { dataDir, maxBytes: 10, fileName: 'a.tsv' });
    const b = await stageUpload(webStream(['bbb']), { dataDir, maxBytes: 10, fileName: 'b.tsv' });
    const c = await stageUpload(webStream(['ccc']), { dataDir, maxBytes: 10, fileName: 'c.tsv' });
    expect(await discardStagedUpload(dataDir, c.id)).toBe(true);
    expect(await discardStagedUpload(dataDir, c.id)).toBe(false);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await fs.utimes(path.join(stagedDir(dataDir), `${a.id}.a.tsv`), old, old);
    await fs.writeFile(path.join(stagedDir(dataDir), `.${c.id}.part`), 'abandoned');
    await fs.utimes(path.join(stagedDir(dataDir), `.${c.id}.part`), old, old);
    expect(await sweepStagedUploads(dataDir)).toBe(2);
    expect(await ls(stagedDir(dataDir))).toEqual([`${b.id}.b.tsv`]);
    await expect(claimStagedUpload(dataDir, a.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('stageMultipart', () => {
  const BOUNDARY = '----clipdex-test';
  function multipart(parts: { name: string; value: string; filename?: string }[]): { body: ReadableStream<Uint8Array>; type: string } {
    const text = parts
      .map((p) =>
        p.filename === undefined
          ? `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`
          : `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: text/plain\r\n\r\n${p.value}\r\n`,
      )
      .join('');
    return { body: webStream([`${text}--${BOUNDARY}--\r\n`]), type: `multipart/form-data; boundary=${BOUNDARY}` };
  }
  const opts = () => ({ dataDir, maxBytes: 64, fileFields: { file: 'corpus file', texts: 'texts file' }, expected: 'a "file"' });

  it('keeps the fields and stages each expected file; other and empty file parts are skipped', async () => {
    const m = multipart([
      { name: 'dataset', value: 'holiday' },
      { name: 'file', value: 'cap\tiVBO\n', filename: 'pairs.tsv' },
      { name: 'other', value: 'zzz', filename: 'x.bin' },
      { name: 'texts', value: '', filename: '' },
    ]);
    const form = await stageMultipart(m.body, m.type, opts());
    expect(form.fields.get('dataset')).toBe('holiday');
    expect([...form.files.keys()]).toEqual(['file']);
    const c = await claimStagedUpload(dataDir, form.files.get('file')!.id);
    expect(await fs.readFile(c.path, 'utf8')).toBe('cap\tiVBO\n');
  });

  it('refuses a file over the limit while streaming and keeps none of the request', async () => {
    const m = multipart([
      { name: 'texts', value: '{"text_id":1}', filename: 't.jsonl' },
      { name: 'file', value: 'x'.repeat(65), filename: 'big.tsv' },
    ]);
    await expect(stageMultipart(m.body, m.type, opts())).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('the corpus file “big.tsv”') });
    await new Promise((r) => setTimeout(r, 50)); // the texts file is discarded once every part settled
    expect(await ls(stagedDir(dataDir))).toEqual([]);
  });

  it('refuses a body that is not multipart', async () => {
    await expect(stageMultipart(webStream(['{}']), 'application/json', opts())).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'send multipart/form-data with a "file"' });
  });
});
