import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openQueryImageStore, queryImagesDir } from './query-images';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-qimg-'));
  dirs.push(d);
  return d;
}
const blob = (i: number, size: number) => Buffer.alloc(size, i);
function usage(dataDir: string) {
  const dir = queryImagesDir(dataDir);
  const names = fs.readdirSync(dir);
  return { files: names.length, bytes: names.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0) };
}

describe('query image store (hostile probe P7: no anonymous disk fill)', () => {
  it('keeps content-addressed images and reads them back; bad ids are refused', async () => {
    const s = openQueryImageStore(tmp());
    const bytes = blob(7, 1000);
    const sha = await s.save(bytes, 1e6);
    expect(sha).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await s.save(bytes, 1e6)).toBe(sha);
    expect((await s.read(sha)).equals(bytes)).toBe(true);
    await expect(s.read('../../etc/passwd')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(s.read('f'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(s.save(Buffer.alloc(0), 1e6)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(s.save(blob(1, 2000), 1000)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('never holds more than maxFiles files: uploading past the cap evicts the least recently used', async () => {
    const dataDir = tmp();
    let t = 1_000_000;
    const s = openQueryImageStore(dataDir, { maxFiles: 5 }, () => t);
    const shas: string[] = [];
    for (let i = 0; i < 12; i++) {
      t += 1000;
      shas.push(await s.save(blob(i, 100), 1e6));
      expect(usage(dataDir).files).toBeLessThanOrEqual(5);
      if (i === 3) {
        t += 1000;
        await s.read(shas[0]); // used again: kept over younger, unused ones
      }
    }
    expect(usage(dataDir).files).toBe(5);
    await expect(s.read(shas[1])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (const sha of shas.slice(-5)) expect((await s.read(sha)).length).toBe(100);
  });

  it('never holds more than maxBytes bytes', async () => {
    const dataDir = tmp();
    let t = 0;
    const s = openQueryImageStore(dataDir, { maxBytes: 10_000 }, () => (t += 1000));
    for (let i = 0; i < 20; i++) {
      await s.save(blob(i, 3000), 1e6);
      expect(usage(dataDir).bytes).toBeLessThanOrEqual(10_000);
    }
    expect(usage(dataDir)).toEqual({ files: 3, bytes: 9000 });
    // One image bigger than the whole budget is refused, not stored and then evicted.
    await expect(s.save(blob(99, 10_001), 1e6)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('forgets images unused for longer than the TTL', async () => {
    const dataDir = tmp();
    let t = 5_000_000;
    const s = openQueryImageStore(dataDir, { ttlMs: 60_000 }, () => t);
    const old = await s.save(blob(1, 10), 1e6);
    t += 61_000;
    await expect(s.read(old)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await s.save(blob(2, 10), 1e6); // a save prunes the expired one
    expect(usage(dataDir).files).toBe(1);
  });
});
