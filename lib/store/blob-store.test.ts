import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBlobStore, sha256Hex } from './blob-store';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-store-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('blob store', () => {
  const store = createBlobStore(dir);
  const bytes = Buffer.from('pretend png bytes');
  const sha = sha256Hex(bytes);

  it('writes content-addressed, idempotently, and reads back by sha only', async () => {
    // true only for the call that created the file: ingest removes only files its failed batch created
    expect(await store.putOriginal(sha, 'png', bytes)).toBe(true);
    expect(await store.putOriginal(sha, 'png', Buffer.from('other'))).toBe(false); // same sha (so the same format): left alone
    const file = path.join(dir, 'blobs', sha.slice(0, 2), `${sha}.png`);
    expect(fs.readFileSync(file)).toEqual(bytes);
    expect(fs.readdirSync(path.dirname(file))).toEqual([`${sha}.png`]);
    const back = await store.readOriginal(sha);
    expect(back).toEqual({ bytes, ext: 'png', contentType: 'image/png' });
  });

  it('finds an original whatever its format (one access per extension, no folder listing), and not a temp file', async () => {
    const formats = ['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff', 'svg', 'bmp', 'x-unknown'];
    const shas: string[] = [];
    for (const [i, format] of formats.entries()) {
      const b = Buffer.from(`format ${format} ${i}`);
      const s = sha256Hex(b);
      shas.push(s);
      expect(await store.putOriginal(s, format, b)).toBe(true);
      expect(await store.hasOriginal(s)).toBe(true);
      expect((await store.readOriginal(s)).bytes).toEqual(b);
      await store.remove(s);
      expect(await store.hasOriginal(s)).toBe(false);
    }
    expect(fs.readdirSync(path.join(dir, 'blobs')).flatMap((d) => fs.readdirSync(path.join(dir, 'blobs', d))).filter((n) => shas.some((x) => n.startsWith(x)))).toEqual([]);
    const t = Buffer.from('only a temp file');
    const ts = sha256Hex(t);
    fs.mkdirSync(path.join(dir, 'blobs', ts.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'blobs', ts.slice(0, 2), `${ts}.jpg.tmp-${process.pid}-beef`), t);
    expect(await store.hasOriginal(ts)).toBe(false);
    fs.rmSync(path.join(dir, 'blobs', ts.slice(0, 2), `${ts}.jpg.tmp-${process.pid}-beef`));
  });

  it('refuses anything that is not a lowercase sha256', async () => {
    for (const bad of ['../x', sha.toUpperCase(), `${sha}/..`, '', `${sha.slice(0, 63)}g`]) {
      await expect(store.readOriginal(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(store.readThumbnail(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
  });

  it('removes both files, and sweeps temp files of dead writers only', async () => {
    expect(await store.putThumbnail(sha, Buffer.from('webp'))).toBe(true);
    expect(await store.putThumbnail(sha, Buffer.from('webp'))).toBe(false);
    expect(await store.hasThumbnail(sha)).toBe(true);
    const sub = path.join(dir, 'blobs', sha.slice(0, 2));
    fs.writeFileSync(path.join(sub, `${sha}.png.tmp-${2 ** 22 + 17}-abcd`), 'dead writer');
    fs.writeFileSync(path.join(sub, `${sha}.png.tmp-${process.pid}-abcd`), 'live writer');
    expect(await store.sweepTemp()).toBe(1);
    expect(fs.readdirSync(sub).some((n) => n.includes(`tmp-${process.pid}`))).toBe(true);
    await store.remove(sha);
    expect(await store.hasOriginal(sha)).toBe(false);
    expect(await store.hasThumbnail(sha)).toBe(false);
    await expect(store.readOriginal(sha)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sets files aside out of sight, then puts them back (over a rewrite) or discards them', async () => {
    const img = Buffer.from('set-aside pretend image');
    const s = sha256Hex(img);
    await store.putOriginal(s, 'png', img);
    await store.putThumbnail(s, Buffer.from('thumb'));
    const a = await store.setAside(s);
    expect([await store.hasOriginal(s), await store.hasThumbnail(s)]).toEqual([false, false]);
    expect(await store.putOriginal(s, 'png', img)).toBe(true); // another ingest writes it back meanwhile
    await a.restore();
    expect((await store.readOriginal(s)).bytes).toEqual(img);
    expect((await store.readThumbnail(s)).bytes).toEqual(Buffer.from('thumb'));
    const b = await store.setAside(s);
    await b.discard();
    expect([await store.hasOriginal(s), await store.hasThumbnail(s)]).toEqual([false, false]);
    const names = ['blobs', 'thumbs'].flatMap((base) => fs.readdirSync(path.join(dir, base, s.slice(0, 2))));
    expect(names.filter((n) => n.startsWith(s))).toEqual([]);
  });

  it('writes again after its folders were removed behind its back (it remembers folders it made)', async () => {
    const other = Buffer.from('another pretend image');
    const osha = sha256Hex(other);
    expect(await store.putThumbnail(osha, other)).toBe(true);
    fs.rmSync(path.join(dir, 'thumbs'), { recursive: true, force: true });
    fs.rmSync(path.join(dir, 'blobs'), { recursive: true, force: true });
    expect(await store.putThumbnail(osha, other)).toBe(true);
    expect(await store.putOriginal(osha, 'png', other)).toBe(true);
    expect((await store.readThumbnail(osha)).bytes).toEqual(other);
    expect((await store.readOriginal(osha)).bytes).toEqual(other);
  });

  it('keeps an original that is its own thumbnail in its format, and finds, reads and removes it like a WebP one', async () => {
    const jpg = Buffer.from('pretend jpeg thumbnail');
    const s = sha256Hex(jpg);
    expect(await store.hasThumbnail(s)).toBe(false);
    expect(await store.putThumbnail(s, jpg, 'jpeg')).toBe(true);
    expect(await store.putThumbnail(s, jpg, 'jpeg')).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'thumbs', s.slice(0, 2))).filter((n) => n.startsWith(s))).toEqual([`${s}.jpg`]);
    expect(await store.hasThumbnail(s)).toBe(true);
    expect(await store.readThumbnail(s)).toEqual({ bytes: jpg, ext: 'jpg', contentType: 'image/jpeg' });
    const a = await store.setAside(s);
    expect(await store.hasThumbnail(s)).toBe(false);
    await a.restore();
    expect((await store.readThumbnail(s)).contentType).toBe('image/jpeg');
    await store.remove(s);
    await expect(store.readThumbnail(s)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.putThumbnail(s, jpg, 'gif')).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it("makes an original's own thumbnail a hard link to the stored original, and writes it where there is none to link", async () => {
    const png = Buffer.from('pretend png that is its own thumbnail');
    const s = sha256Hex(png);
    expect(await store.putOriginal(s, 'png', png)).toBe(true);
    expect(await store.putThumbnail(s, png, 'png', { ofOriginal: true })).toBe(true);
    expect(await store.putThumbnail(s, png, 'png', { ofOriginal: true })).toBe(false);
    const orig = fs.statSync(path.join(dir, 'blobs', s.slice(0, 2), `${s}.png`));
    const thumb = fs.statSync(path.join(dir, 'thumbs', s.slice(0, 2), `${s}.png`));
    expect([thumb.ino, thumb.nlink]).toEqual([orig.ino, 2]);
    expect((await store.readThumbnail(s)).bytes).toEqual(png);
    // Removing both names leaves nothing behind.
    await store.remove(s);
    expect(await store.hasOriginal(s)).toBe(false);
    await expect(store.readThumbnail(s)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // No original (removed meanwhile): the bytes are written as a file of their own.
    expect(await store.putThumbnail(s, png, 'png', { ofOriginal: true })).toBe(true);
    expect(fs.statSync(path.join(dir, 'thumbs', s.slice(0, 2), `${s}.png`)).nlink).toBe(1);
    expect((await store.readThumbnail(s)).bytes).toEqual(png);
  });

  it('lists its folders for temp files only after a writer died (its marker left) or once for an older store', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-sweep-'));
    try {
      const st = createBlobStore(d);
      const b = Buffer.from('sweep pretend jpeg');
      const s = sha256Hex(b);
      await st.putOriginal(s, 'jpeg', b);
      const writers = path.join(d, '.store-writers');
      const markers = () => fs.readdirSync(writers).filter((n) => n !== '.swept');
      expect(markers()).toEqual([expect.stringMatching(new RegExp(`-${process.pid}$`))]);
      const mine = markers()[0];
      // A store older than the markers (no such folder) is swept once, then stamped.
      fs.rmSync(writers, { recursive: true });
      const old = path.join(d, 'blobs', s.slice(0, 2), `${s}.jpg.tmp-${2 ** 22 + 5}-0000`);
      fs.writeFileSync(old, 'left by an older version');
      expect(await st.sweepTemp()).toBe(1);
      expect(fs.existsSync(path.join(writers, '.swept'))).toBe(true);
      fs.writeFileSync(path.join(writers, mine), ''); // (this process's marker, as it was)
      // A dead process's temp file, but no dead writer's marker: not even looked for.
      const deadPid = 2 ** 22 + 17;
      const tmp = path.join(d, 'blobs', s.slice(0, 2), `${s}.jpg.tmp-${deadPid}-abcd`);
      fs.writeFileSync(tmp, 'dead writer');
      expect(await st.sweepTemp()).toBe(0);
      expect(fs.existsSync(tmp)).toBe(true);
      // Its marker left behind (killed): the next sweep lists the folders and removes both.
      fs.writeFileSync(path.join(writers, mine.replace(/-\d+$/, `-${deadPid}`)), '');
      expect(await st.sweepTemp()).toBe(1);
      expect(fs.existsSync(tmp)).toBe(false);
      expect(markers()).toEqual([mine]); // this process's, still running
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it("a writer's marker goes when its process exits, and stays when it is killed", () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-marker-'));
    try {
      const script = path.join(d, 'write.mts');
      const storeTs = path.resolve(__dirname, 'blob-store.ts');
      fs.writeFileSync(script, `import { createBlobStore, sha256Hex } from ${JSON.stringify(storeTs)};
const st = createBlobStore(process.argv[2]);
const b = Buffer.from('marker ' + process.argv[3]);
await st.putOriginal(sha256Hex(b), 'png', b);
if (process.argv[3] === 'kill') process.kill(process.pid, 'SIGKILL');\n`);
      const tsx = path.resolve(__dirname, '../../node_modules/tsx/dist/cli.mjs');
      const markers = () => fs.readdirSync(path.join(d, '.store-writers')).filter((n) => n !== '.swept');
      const ok = spawnSync(process.execPath, [tsx, script, d, 'exit'], { encoding: 'utf8' });
      expect(ok.status, ok.stderr).toBe(0);
      expect(markers()).toEqual([]);
      const killed = spawnSync(process.execPath, [tsx, script, d, 'kill'], { encoding: 'utf8' });
      expect(killed.signal ?? killed.status, killed.stderr).not.toBe(0);
      expect(markers()).toHaveLength(1);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
